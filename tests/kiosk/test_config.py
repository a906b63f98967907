import dataclasses
import json
import re
import tomllib
import typing
from pathlib import Path

import pytest

from kiosk import config
from kiosk.config_error import ConfigError
from kiosk.secret_source import SECRET_CREDENTIAL, SecretSource

DEMO = config.DEFAULT_CONFIG


def write_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = DEMO.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "kiosk.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_demo_config_loads_into_typed_immutable_objects() -> None:
    loaded = config.load(DEMO, env={})
    assert loaded.kiosk.id == "K0001"
    assert loaded.cash.protocol == "ccnet"
    assert loaded.cash.denominations_fen == (1000, 2000, 5000, 10000)
    assert loaded.chars_per_line == 48
    with pytest.raises(AttributeError):
        loaded.kiosk.id = "other"  # type: ignore[misc]


def test_secret_is_not_in_repr() -> None:
    loaded = config.load(DEMO, env={})
    assert loaded.central.secret not in repr(loaded)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("poll_interval_ms = 100", "pol_interval_ms = 100", r"cash\.pol_interval_ms: unknown key"),
        (
            "offline_max_count = 50",
            "offline_max_count = -5",
            r"limits\.offline_max_count: -5 is below",
        ),
        ('protocol = "ccnet"', 'protocol = "mdb"', r"cash\.protocol: 'mdb' is not one of"),
        ("baudrate = 9600\npoll", 'baudrate = "9600"\npoll', r"cash\.baudrate: must be a whole"),
        ("large_text = false", "large_text = 0", r"ui\.large_text: must be true or false"),
        ("lookup_s = 8.0\n", "", r"timeouts\.lookup_s: missing"),
        (
            "denominations_fen = [1000, 2000, 5000, 10000]",
            "denominations_fen = [1000, 1000]",
            "twice",
        ),
        (
            "denominations_fen = [1000, 2000, 5000, 10000]",
            "denominations_fen = [1000, 20.5]",
            r"denominations_fen\[1\]: must be a whole number",
        ),
        ("min_payment_fen = 100", "min_payment_fen = 900000", "must not exceed"),
        ('url = "http://127.0.0.1:8470"', 'url = "ftp://x"', r"central\.url"),
        ('id = "K0001"', 'id = "K 1/2"', r"kiosk\.id"),
        ("[ui]", "[ui]\n[ui.extra]", r"ui\.extra: unknown key"),
    ],
)
def test_bad_files_are_refused_naming_file_and_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = write_variant(tmp_path, old, new)
    with pytest.raises(ConfigError, match=message) as caught:
        config.load(path, env={})
    assert str(path) in str(caught.value)


def test_unknown_section_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.toml"
    path.write_text(DEMO.read_text(encoding="utf-8") + "\n[cashh]\nx = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cashh: unknown key"):
        config.load(path, env={})


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[kiosk\nid=", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load(broken, env={})
    with pytest.raises(ConfigError, match="no such file"):
        config.load(tmp_path / "absent.toml", env={})


def test_environment_overrides_secret_and_data_dir(tmp_path: Path) -> None:
    loaded = config.load(DEMO, env={"KIOSK_SECRET": "s" * 32, "KIOSK_DATA_DIR": str(tmp_path)})
    assert loaded.central.secret == "s" * 32
    assert loaded.kiosk.data_dir == tmp_path


def unpaired_config(tmp_path: Path, *, secret_file: str | None = None) -> Path:
    """The demo config without its central.secret, with its data under tmp_path."""
    text = DEMO.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^secret = .*$", "", text)
    text = re.sub(r'(?m)^data_dir = ".*"', f'data_dir = "{tmp_path / "data"}"', text)
    if secret_file is not None:
        text = text.replace("[central]\n", f'[central]\nsecret_file = "{secret_file}"\n', 1)
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_secret_file_defaults_to_the_data_dir_and_follows_kiosk_data_dir(
    tmp_path: Path,
) -> None:
    path = unpaired_config(tmp_path)
    assert config.load(path, env={}).central.secret_file == tmp_path / "data" / "secret"
    moved = tmp_path / "elsewhere"
    loaded = config.load(path, env={"KIOSK_DATA_DIR": str(moved)})
    assert loaded.central.secret_file == moved / "secret"  # as under kiosk.service
    named = unpaired_config(tmp_path, secret_file=str(tmp_path / "s"))
    assert config.load(named, env={}).central.secret_file == tmp_path / "s"


def test_no_secret_anywhere_is_a_kiosk_not_paired_yet_not_an_error(tmp_path: Path) -> None:
    loaded = config.load(unpaired_config(tmp_path), env={})
    assert loaded.central.secret == ""
    assert not loaded.paired
    assert loaded.secret_source is None
    assert "not paired" in loaded.secret_origin


def test_the_secret_is_read_env_then_credential_then_file_then_the_config_key(
    tmp_path: Path,
) -> None:
    """Each source, and what it outranks: take the first away and the next one answers."""
    path = write_variant(tmp_path, "[central]\n", f'[central]\nsecret_file = "{tmp_path}/sf"\n')
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / SECRET_CREDENTIAL).write_text("c" * 40 + "\n", encoding="utf-8")
    (tmp_path / "sf").write_text("f" * 43 + "\n", encoding="utf-8")
    both = {"KIOSK_SECRET": "e" * 32, "CREDENTIALS_DIRECTORY": str(credentials)}

    def found(env: dict[str, str]) -> tuple[str, SecretSource | None]:
        loaded = config.load(path, env=env)
        return loaded.central.secret, loaded.secret_source

    assert found(both) == ("e" * 32, SecretSource.ENVIRONMENT)
    assert found({**both, "KIOSK_SECRET": ""}) == ("c" * 40, SecretSource.CREDENTIAL)
    assert found({}) == ("f" * 43, SecretSource.FILE)
    (credentials / SECRET_CREDENTIAL).write_text("", encoding="utf-8")  # SetCredential=
    assert found({"CREDENTIALS_DIRECTORY": str(credentials)}) == (
        "f" * 43,
        SecretSource.FILE,
    )
    (tmp_path / "sf").unlink()
    demo_secret = "demo-kiosk-secret-not-for-production"  # config/kiosk.toml's own
    assert found({}) == (demo_secret, SecretSource.CONFIG)


def test_a_secret_only_kiosk_secret_or_the_credential_outranks_pairing() -> None:
    outranking = {s for s in SecretSource if s.outranks_pairing}
    assert outranking == {SecretSource.ENVIRONMENT, SecretSource.CREDENTIAL}


@pytest.mark.parametrize("where", ["env", "credential", "file", "config"])
def test_a_short_secret_is_refused_naming_where_it_came_from(tmp_path: Path, where: str) -> None:
    short = "short"
    path = unpaired_config(tmp_path)
    env: dict[str, str] = {}
    if where == "env":
        env, named = {"KIOSK_SECRET": short}, "KIOSK_SECRET"
    elif where == "credential":
        (tmp_path / SECRET_CREDENTIAL).write_text(short, encoding="utf-8")
        env, named = {"CREDENTIALS_DIRECTORY": str(tmp_path)}, "credential kiosk-secret"
    elif where == "file":
        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "secret").write_text(short + "\n", encoding="utf-8")
        named = str(tmp_path / "data" / "secret")
    else:
        path = write_variant(tmp_path, "demo-kiosk-secret-not-for-production", short)
        named = "central.secret"
    with pytest.raises(ConfigError, match=r"central\.secret: the secret in ") as refused:
        config.load(path, env=env)
    message = str(refused.value)
    assert named in message
    assert "5 characters, must be at least 16" in message
    assert f"'{short}'" not in message and f" {short} " not in message  # never the secret
    # `kiosk pair` replaces it, so it loads the same file without the secret
    loaded = config.load(path, env=env, check_secret=False)
    assert not loaded.paired


def test_an_unreadable_secret_file_says_whose_it_must_be(tmp_path: Path) -> None:
    path = unpaired_config(tmp_path)
    (tmp_path / "data" / "secret").mkdir(parents=True)  # EISDIR: unreadable even for root
    with pytest.raises(ConfigError, match=r"central\.secret_file: cannot read .*data/secret"):
        config.load(path, env={})
    assert not config.load(path, env={}, check_secret=False).paired


def test_example_site_configs_parse_as_toml(repo: Path) -> None:
    for path in (repo / "config").rglob("*.toml"):
        tomllib.loads(path.read_text(encoding="utf-8"))


def test_table_codes_and_bill_types_default_per_protocol() -> None:
    loaded = config.load(DEMO, env={})
    assert loaded.cash.table_codes == ()
    assert loaded.cash.bill_types == {}
    assert loaded.cash.acceptor_settings() == {}  # the driver's defaults per protocol


@pytest.mark.parametrize(
    ("protocol", "extra", "settings"),
    [
        ("ccnet", 'table_codes = ["RUB", "CHN"]', {"table_codes": ("RUB", "CHN")}),
        ("id003", "table_codes = [156, 7]", {"table_codes": (156, 7)}),
        (
            "ict",
            'bill_types = {"40" = 100, "42" = 1000}',
            {"bill_types": {0x40: 100, 0x42: 1000}},
        ),
    ],
)
def test_table_codes_and_bill_types_reach_the_driver(
    tmp_path: Path, protocol: str, extra: str, settings: dict[str, object]
) -> None:
    path = write_variant(
        tmp_path,
        'protocol = "ccnet"',
        f'protocol = "{protocol}"\n{extra}',
    )
    assert config.load(path, env={}).cash.acceptor_settings() == settings


@pytest.mark.parametrize(
    ("protocol", "extra", "message"),
    [
        ("ccnet", "table_codes = [156]", r"cash\.table_codes: CCNET tables name 3-letter"),
        ("ccnet", 'table_codes = ["YUAN"]', r"cash\.table_codes: CCNET"),
        ("id003", 'table_codes = ["CNY"]', r"cash\.table_codes: ID-003 country codes"),
        ("id003", "table_codes = [true]", r"cash\.table_codes\[0\]: must be str or int"),
        ("ict", 'table_codes = ["CNY"]', r"cash\.table_codes: ICT has no bill table"),
        ("ccnet", 'bill_types = {"40" = 100}', r"cash\.bill_types: only for protocol 'ict'"),
        ("ict", 'bill_types = {"50" = 100}', r"cash\.bill_types\.50: bill types are hex"),
        ("ict", 'bill_types = {"40" = 1.5}', r"cash\.bill_types\.40: 1\.5 is not"),
        ("ict", "bill_types = [100]", r"cash\.bill_types: must be a table"),
    ],
)
def test_bad_table_settings_are_refused(
    tmp_path: Path, protocol: str, extra: str, message: str
) -> None:
    path = write_variant(tmp_path, 'protocol = "ccnet"', f'protocol = "{protocol}"\n{extra}')
    with pytest.raises(ConfigError, match=message):
        config.load(path, env={})


@pytest.mark.parametrize(
    ("notes", "message"),
    [
        ("[1000, 300]", r"cash\.denominations_fen: 300 is not a yuan note; list some of 100, "),
        ("[10, 20]", r"10 is not a yuan note.*did you mean 1000 \(amounts are in fen\)\?"),
        ("[1000, 2000, 20000]", "20000 is not a yuan note"),
    ],
)
def test_a_note_the_acceptor_cannot_take_is_refused(
    tmp_path: Path, notes: str, message: str
) -> None:
    path = write_variant(
        tmp_path, "denominations_fen = [1000, 2000, 5000, 10000]", f"denominations_fen = {notes}"
    )
    with pytest.raises(ConfigError, match=message):
        config.load(path, env={})


def test_every_yuan_note_may_be_listed(tmp_path: Path) -> None:
    path = write_variant(
        tmp_path,
        "denominations_fen = [1000, 2000, 5000, 10000]",
        "denominations_fen = [100, 500, 1000, 2000, 5000, 10000]",
    )
    assert config.load(path, env={}).cash.denominations_fen == config.CNY_NOTES_FEN


def _whole_number_keys() -> list[tuple[str, str, bool]]:
    """(section, key, is a list) for every whole-number key of the kiosk config."""
    found = []
    sections = typing.get_type_hints(config.KioskConfig)
    for section, cls in sections.items():
        if not dataclasses.is_dataclass(cls):
            continue
        for name, hint in typing.get_type_hints(cls).items():
            if hint is int or hint == tuple[int, ...]:
                found.append((section, name, hint is not int))
    return found


@pytest.mark.parametrize(("section", "key", "is_list"), _whole_number_keys())
def test_every_whole_number_key_has_a_bound_it_names(
    tmp_path: Path, section: str, key: str, is_list: bool
) -> None:
    huge = 10**19  # 20 digits: a key held down too long
    raw = tomllib.loads(DEMO.read_text(encoding="utf-8"))
    raw[section][key] = [huge] if is_list else huge
    path = tmp_path / "kiosk.toml"
    path.write_text(_toml(raw), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(path, env={})
    message = str(caught.value)
    assert f"{path}: {section}.{key}" in message
    bound = re.search(r"(above the maximum|at most) ([\d,]+)", message)
    assert bound is not None, message
    assert int(bound.group(2).replace(",", "")) < huge


def _toml(raw: dict[str, dict[str, object]]) -> str:
    lines = []
    for section, values in raw.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in values.items())
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("below", ["", "sub/dir"])
def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path, below: str) -> None:
    a_file = tmp_path / "data"
    a_file.write_text("not a directory", encoding="utf-8")
    data_dir = a_file / below if below else a_file
    path = write_variant(tmp_path, 'data_dir = "var/kiosk"', f'data_dir = "{data_dir}"')
    with pytest.raises(ConfigError) as caught:
        config.load(path, env={})
    assert str(caught.value) == (
        f"{path}: kiosk.data_dir: {a_file} is a file, not a directory; point the data "
        "directory at a directory (it is created when missing)"
    )
    with pytest.raises(ConfigError, match=r"kiosk\.data_dir \(from KIOSK_DATA_DIR\): "):
        config.load(DEMO, env={"KIOSK_DATA_DIR": str(data_dir)})


COLLECTION_ROLES = 'collection_roles = ["collector"]'


def test_collection_roles_default_to_collectors_when_an_old_file_has_none(tmp_path: Path) -> None:
    loaded = config.load(write_variant(tmp_path, COLLECTION_ROLES, ""), env={})
    assert loaded.maintenance.collection_roles == ("collector",)
    both = write_variant(
        tmp_path, COLLECTION_ROLES, 'collection_roles = ["collector", "technician"]'
    )
    assert config.load(both, env={}).maintenance.collection_roles == ("collector", "technician")


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        (
            '["cashier"]',
            r"'cashier' is not a technician role; list some of 'technician', 'collector'",
        ),
        ('["Collector"]', "'Collector' is not a technician role"),
        ("[]", "lists nobody, so nobody could empty the cash box"),
        ('["collector", "collector"]', "lists a role twice"),
        ('"collector"', "must be a list"),
        ("[1]", r"collection_roles\[0\]: must be a string"),
    ],
)
def test_bad_collection_roles_are_refused_naming_the_key(
    tmp_path: Path, roles: str, message: str
) -> None:
    path = write_variant(tmp_path, COLLECTION_ROLES, f"collection_roles = {roles}")
    with pytest.raises(ConfigError, match=r"maintenance\.collection_roles") as refused:
        config.load(path, env={})
    assert re.search(message, str(refused.value)), str(refused.value)
