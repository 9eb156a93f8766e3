"""The rules about Chinese administrative names (assistant.ingest.names): what is a body's name, what is not."""

from __future__ import annotations

import pytest

from assistant.ingest.names import agrees, complete_with, full_department, leading_name, names_in, place_key, same_department


def orgs(phrase: str) -> list[str] | None:
    found = names_in(phrase)
    return None if found is None else [n.org or n.text for n in found]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("宁川县鹤鸣镇人民政府", ["鹤鸣镇"]),
        ("重庆市万州区柱山乡", ["柱山乡"]),
        ("湛江市廉江市良垌镇人民政府", ["良垌镇"]),  # a county-level city under a prefecture city
        ("中共云阳县凤鸣镇委员会 云阳县凤鸣镇人民政府", ["凤鸣镇", "凤鸣镇"]),  # joint letterhead
        ("中共重庆市大渡口区委重庆市大渡口区人民政府", ["大渡口区", "大渡口区"]),  # run together
        ("中共浚县县委 浚县人民政府", ["浚县", "浚县"]),  # one-character county; 县委 repeats the level
        ("沙坪坝街道党工委、沙坪坝街道办事处", ["沙坪坝街道", "沙坪坝街道"]),
        ("重庆市荣昌区人民政府广顺街道办事处", ["广顺街道"]),
        ("新市街道办事处", ["新市街道"]),
        ("中共荆家镇委", ["荆家镇"]),
        ("深圳市龙华区司法局", ["龙华区司法局"]),
        ("岚溪县住房和城乡建设局", ["岚溪县住房和城乡建设局"]),  # 城乡 inside a department is no place
        ("柏阳县市场监督管理局", ["柏阳县市场监督管理局"]),
        ("岚川县人民政府办公室", ["岚川县人民政府办公室"]),
        ("中共青岛市交通运输局党组", ["青岛市交通运输局"]),
        ("石柱土家族自治县人民政府", ["石柱县"]),  # autonomous county filed by its short form
        ("酉阳土家族苗族自治县可大乡", ["可大乡"]),
        ("盘龙彝族乡人民政府", ["盘龙彝族乡"]),
        ("杭锦旗人民政府", ["杭锦旗"]),
        ("通城镇人民政府", ["通城镇"]),  # ends like 城镇 but is a name
        ("中山区", ["中山区"]),
    ],
)
def test_well_formed_names(phrase, expected):
    assert orgs(phrase) == expected


@pytest.mark.parametrize(
    "phrase",
    ["县司法局紧紧围绕县", "在区", "在工委依法治区", "鲁山人民政府", "本站", "党政", "海丰县人民政府门户网站",
     "万盛经济技术开发区", "各乡镇", "镇村两级调委会", "全县", "XX镇"],
)
def test_fragments_and_non_names_are_not_names(phrase):
    assert names_in(phrase) is None


def test_bare_and_self_mentions():
    bare = names_in("区人社局")[0]
    assert (bare.complete, bare.bare, bare.department) == (False, "区", "人社局")
    assert leading_name("我镇坚持以习近平法治思想为指导").self_ref
    assert leading_name("县司法局紧紧围绕县委、县政府中心工作").org == ""  # bare: no place of its own
    assert leading_name("县司法局紧紧围绕县委、县政府中心工作").department == "司法局"
    assert leading_name("镇村两级调委会共排查纠纷") is None  # a town has no reporting departments
    market = leading_name("市场监管局开展检查")  # 市场 is a word, not 市 + 场…: a department named without its place
    assert (market.complete, market.bare, market.department) == (False, "", "市场监管局")


def test_sentence_subjects():
    assert leading_name("桐坪镇在县委、县政府的坚强领导下").org == "桐坪镇"
    assert leading_name("芦林镇围绕产业强镇目标").org == "芦林镇"  # 产业强镇 is no second unit
    assert leading_name("柏阳县市场监督管理局在县委").org == "柏阳县市场监督管理局"
    assert leading_name("共和乡党委、政府坚持").org == "共和乡"
    assert leading_name("永清县委、县政府坚持").org == "永清县"
    assert leading_name("桐溪鎮在縣委").org == "桐溪鎮"  # traditional characters, own spelling kept
    assert leading_name("鹤龙街坚持") is None  # 街 alone is not 街道: no guess


def test_agreement_and_completion():
    body = names_in("市中区人力资源和社会保障局")[0]
    assert agrees(names_in("区人社局")[0], body)  # abbreviation of the same department
    assert not agrees(names_in("县人社局")[0], body)  # another level
    assert not agrees(leading_name("我镇坚持"), body)
    assert agrees(leading_name("我局坚持"), body)
    county = names_in("柏阳县")[0]
    done = complete_with(names_in("县市场监督管理局")[0], county)
    assert done.org == "柏阳县市场监督管理局"
    assert complete_with(names_in("区司法局")[0], county) is None  # 区 cannot take a 县's place
    assert same_department("卫生健康委", "卫生健康委员会") and same_department("政务服务办", "政务服务管理办公室")
    assert not same_department("司法局", "审计局")
    assert place_key("盘龙彝族乡") == place_key("盘龙乡") and place_key("桐溪鎮") == place_key("桐溪镇")
    assert full_department("人社局") == "人力资源和社会保障局" and full_department("文旅局") == "文旅局"


def test_function_words_may_begin_a_place_but_not_stand_inside_one():
    assert orgs("将乐县人民政府") == ["将乐县"] and orgs("于都县") == ["于都县"] and orgs("本溪市") == ["本溪市"]
    assert orgs("和平区司法局") == ["和平区司法局"]
    assert names_in("坚持以人民为中心县") is None and leading_name("在县委、县政府领导下") is None
    county = names_in("石柱土家族自治县人民政府")[0]
    assert agrees(leading_name("县政府坚持"), county)  # an 自治县 is spoken of as 县
