"""The gateway config file: every mistake is one line that names the file and the problem."""

from __future__ import annotations

import pytest

from egov_sim.core.errors import InputError
from egov_sim.gateway.config import default_config, load_config, parse_config

BAD = {
    "toml-syntax": ('[gateway\nsign_responses = true\n', "line 1"),
    "missing-equals": ('[[services]]\nservice_id = "A"\ntimeout 5\n', "Expected '='"),
    "unknown-top-level": ('[gatway]\nsign_responses = true\n', "unknown key(s) gatway"),
    "unknown-gateway-key": ('[gateway]\nsign_response = true\n', "[gateway]: unknown key(s) sign_response"),
    "unknown-participant-key": ('[[participants]]\nsender_id = "A"\npasword = "x"\n',
                                "participants[0]: unknown key(s) pasword"),
    "bad-wsse": ('[[participants]]\nsender_id = "A"\nwsse = "always"\n',
                 "participants[0]: wsse must be one of off, if-present, required"),
    "missing-sender-id": ('[[participants]]\npassword = "x"\n', "participants[0]: 'sender_id' is required"),
    "sender-id-number": ('[[participants]]\nsender_id = 5\n', "'sender_id' must be a string"),
    "password-number": ('[[participants]]\nsender_id = "A"\npassword = 123\n', "'password' must be a string"),
    "participants-not-array": ('[participants]\nsender_id = "A"\n', "written [[participants]]"),
    "gateway-not-table": ('[[gateway]]\nsign_responses = true\n', "written [gateway]"),
    "service-no-provider": ('[[services]]\nservice_id = "A"\n', "services[0]: 'provider' is required"),
    "provider-scheme": ('[[services]]\nservice_id = "A"\nprovider = "ftp://x"\n',
                        "provider must be builtin:<name> or an http(s) URL"),
    "timeout-text": ('[[services]]\nservice_id = "A"\nprovider = "builtin:echo"\ntimeout = "fast"\n',
                     "'timeout' must be a number"),
    "timeout-zero": ('[[services]]\nservice_id = "A"\nprovider = "builtin:echo"\ntimeout = 0\n',
                     "'timeout' must be greater than 0"),
    "allowed-senders-text": ('[[services]]\nservice_id = "A"\nprovider = "builtin:echo"\nallowed_senders = "B"\n',
                             "'allowed_senders' must be a list of senderIds"),
    "route-required-text": ('[[services]]\nservice_id = "A"\nprovider = "builtin:echo"\nroute_required = "yes"\n',
                            "'route_required' must be true or false"),
    "route-provider": ('[[routes]]\nroute_id = "R"\nprovider = "nowhere"\n', "routes[0]: provider must be"),
    "sign-responses-text": ('[gateway]\nsign_responses = "yes"\n', "'sign_responses' must be true or false"),
    "max-bytes-text": ('[gateway]\nmax_bytes = "1MB"\n', "'max_bytes' must be an integer"),
    "max-depth-zero": ('[gateway]\nmax_depth = 0\n', "'max_depth' must be greater than 0"),
    "unknown-error-code": ('[error_codes]\nSCE999 = "X"\n', "[error_codes] SCE999 is not a gateway error code"),
    "error-code-number": ('[error_codes]\nSCE004 = 4\n', "[error_codes] SCE004 must be a non-empty string"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_config_mistake_is_one_line_naming_file_and_problem(case):
    text, problem = BAD[case]
    with pytest.raises(InputError) as caught:
        parse_config(text, source="/etc/egov-sim/gateway.toml")
    message = str(caught.value)
    assert message.startswith("/etc/egov-sim/gateway.toml: "), message
    assert problem in message, message
    assert "\n" not in message
    assert caught.value.code == "BAD_CONFIG"


def test_load_config_names_the_file(tmp_path):
    path = tmp_path / "gateway.toml"
    path.write_text('[[participants]]\nsender_id = "A"\nwsse = "sometimes"\n', encoding="utf-8")
    with pytest.raises(InputError, match=f"^{path}: participants"):
        load_config(path)
    with pytest.raises(InputError, match=f"cannot read config {tmp_path / 'missing.toml'}"):
        load_config(tmp_path / "missing.toml")
    assert load_config(None) == default_config()


def test_entries_add_to_and_replace_the_builtins():
    config = parse_config('[[participants]]\nsender_id = "EGOV_SIM_TEST_CLIENT"\npassword = "new"\n'
                          'wsse = "required"\n\n[[participants]]\nsender_id = "NEW_IS"\n')
    assert config.participants["EGOV_SIM_TEST_CLIENT"].password == "new"
    assert config.participants["EGOV_SIM_TEST_CLIENT"].wsse == "required"
    assert config.participants["NEW_IS"].password is None
    assert set(default_config().participants) < set(config.participants)
    assert "SIM_ECHO" in config.services


def test_integer_timeout_and_empty_file():
    config = parse_config('[[services]]\nservice_id = "A"\nprovider = "https://provider.example/shep"\ntimeout = 3\n')
    assert config.services["A"].timeout == 3.0
    assert parse_config("") == default_config()
