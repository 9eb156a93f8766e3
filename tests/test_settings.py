from pathlib import Path

from assistant.settings import Settings, get_settings


def test_nested_groups_read_from_flat_env(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", "sk-secret-value")
    monkeypatch.setenv("ASSISTANT_CHROMA_PORT", "8123")
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path))
    s = Settings()
    assert s.llm.base_url == "http://127.0.0.1:9/v1"
    assert s.chroma.port == 8123
    assert s.home == tmp_path
    assert s.chroma_dir == tmp_path / "chroma"


def test_secrets_never_in_fingerprint_or_repr(monkeypatch):
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", "sk-secret-value")
    s = Settings()
    assert "sk-secret-value" not in repr(s)
    assert "sk-secret-value" not in str(s.fingerprint())
    assert s.llm.api_key.get_secret_value() == "sk-secret-value"


def test_fingerprint_changes_with_results_relevant_settings(monkeypatch):
    a = Settings().fingerprint_hash()
    monkeypatch.setenv("ASSISTANT_RETRIEVAL_K", "3")
    assert Settings().fingerprint_hash() != a


def test_tests_run_in_a_temp_home(isolated_home):
    assert get_settings().home == isolated_home
    assert Path(get_settings().models_dir).name == "models"
