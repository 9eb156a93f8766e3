"""A same-length *matching* form of report text. Never shown to users.

Reports mix full-width (，：（）) and ASCII (, : ( )) punctuation, sometimes in one file, and some
mirrors serve traditional characters. ``normalize`` maps each character to one character, so an
offset found in the normalized form is the same offset in the original text: match on
``normalize(text)``, then slice and display ``text``.
"""

from __future__ import annotations

# Traditional → simplified for the characters that carry structure and metadata (headings, body
# names, levels, dates, cue words). Not a general converter: one character each, so lengths hold.
_TRAD = (
    "與与 舉举 進进 設设 問问 題题 劃划 計计 負负 責责 職职 況况 報报 務务 縣县 鎮镇 鄉乡 區区 長长 開开 發发 "
    "實实 總总 體体 現现 將将 來来 們们 為为 個个 這这 會会 議议 機机 關关 黨党 員员 風风 險险 執执 規规 範范 "
    "導导 達达 項项 條条 層层 擴扩 對对 處处 決决 動动 強强 學学 習习 應应 嚴严 優优 營营 環环 權权 稅税 "
    "華华 國国 産产 產产 業业 農农 鄰邻 號号 頁页 網网 標标 識识 碼码 簡简 單单 辦办 審审 調调 解解 紛纷 "
    "訪访 證证 書书 傳传 宣宣 講讲 級级 屆届 歷历 覽览 驗验 據据 屬属 門门 頭头 點点 專专 線线 統统 籌筹 "
    "態态 勢势 構构 織织 設设 參参 與与 陳陈 齊齐 於于 後后 幹干 廣广 聽听 財财 費费 質质 帶带 穩稳 維维 "
    "護护 衛卫 錯错 問问 題题 訴诉 復复 紀纪 監监 督督 漢汉 結结 論论 續续 緊紧 難难 韌韧 驟骤 筆笔 據据 "
    "領领 導导 辦办 頒颁 佈布 務务 濟济 為为 鎮镇 區区 縣县 街街 萬万 億亿 項项 歲岁 貫贯 徹彻 積积 極极 "
    "團团 組组 織织 認认 識识 聯联 繫系 協协 爭争 寫写 紮扎 處处 題题 顧顾 師师 諮谘 詢询 據据 務务 "
    # characters of place and department names (江門市農業農村局, 三張鎮, 湘潭縣自然資源局)
    "東东 張张 遠远 門门 農农 資资 陽阳 廣广 灣湾 龍龙 雲云 貴贵 寧宁 蘇苏 陝陕 興兴 慶庆 橋桥 莊庄 溝沟 "
    "嶺岭 灘滩 壩坝 崗岗 鄭郑 劉刘 趙赵 羅罗 楊杨 馬马 鳳凤 鳴鸣 湯汤 濱滨 陸陆 綜综 隊队 歸归 臺台 礦矿 鐵铁"
)
_TRAD_MAP = {pair[0]: pair[1] for pair in _TRAD.split() if len(pair) == 2}

_TABLE: dict[int, str] = {}
for _cp in range(0xFF01, 0xFF5F):  # full-width ASCII block → ASCII
    _TABLE[_cp] = chr(_cp - 0xFEE0)
_TABLE.update(
    {
        0x3000: " ",  # ideographic space
        0x00A0: " ",  # no-break space
        0x2002: " ", 0x2003: " ", 0x2009: " ", 0x200A: " ",
        0x201C: '"', 0x201D: '"', 0x2018: "'", 0x2019: "'",  # curly quotes
        0xFE50: ",", 0xFE52: ".", 0xFE54: ";", 0xFE55: ":",  # small form variants
        0x2236: ":",  # ratio sign, used as a colon by some editors
        0xFF5F: "(", 0xFF60: ")",
    }
)
_TABLE.update({ord(t): s for t, s in _TRAD_MAP.items()})


def normalize(text: str) -> str:
    """Same-length matching form: full-width ASCII/punctuation → ASCII, odd spaces → ' ', traditional
    structure words → simplified. ``len(normalize(t)) == len(t)`` always; 。 and 、 are kept (no ASCII twin)."""
    return text.translate(_TABLE)


_FULL_T2S: dict[int, str] | None = None


def simplified(text: str) -> str:
    """``normalize(text)`` with *every* traditional character read as its simplified one (OpenCC's character
    table, first choice), still one character for one: 首違不罰 → 首违不罚, 12345熱線 → 12345热线. For matching a
    user's term against report text; ``normalize`` keeps its smaller table because stored search tokens depend
    on it."""
    global _FULL_T2S
    if _FULL_T2S is None:
        from importlib.resources import files

        table: dict[int, str] = {}
        for line in files("opencc_purepy").joinpath("dicts", "TSCharacters.txt").read_text(encoding="utf-8").splitlines():
            trad, _, simp = line.partition("\t")
            first = simp.split()[0] if simp.split() else ""
            if len(trad) == 1 and len(first) == 1:
                table[ord(trad)] = first
        _FULL_T2S = table
    return normalize(text).translate(_FULL_T2S)
