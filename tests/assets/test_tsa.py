"""The platform's own RFC 3161 time-stamping authority (#18): tokens that `openssl ts -verify` accepts,
a changed file refused in words, serials never reused, an external TSA that is down refused in words."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import io
import shlex
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from shouzhan.assets import tsa
from shouzhan.assets.tsa import Stamp, TsaError, Verification

CHANGED = "文件内容与时间戳记录的哈希不一致：文件在登记后被修改过"
VERIFIED = "验证通过：文件内容与登记时一致，时间戳签名和证书有效"


@pytest.fixture(scope="module")
def shared_tsa_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One authority for the module: making RSA keys takes a second or two."""
    return tmp_path_factory.mktemp("tsa")


@pytest.fixture
def embedded(settings: Any, shared_tsa_dir: Path) -> Path:
    settings.SHOUZHAN_TSA_DIR = shared_tsa_dir
    settings.SHOUZHAN_TSA_URL = ""
    settings.SHOUZHAN_TSA_CA_FILE = ""
    settings.SHOUZHAN_TSA_NAME = "首站 Shouzhan TSA"
    return shared_tsa_dir


def _work(tmp_path: Path, content: bytes = "第一集 剧本 v1\n".encode()) -> tuple[Path, str]:
    path = tmp_path / "剧本 v1.txt"
    path.write_bytes(content)
    return path, hashlib.sha256(content).hexdigest()


def _openssl_verify(tmp_path: Path, stamp: Stamp, data_file: str) -> subprocess.CompletedProcess[str]:
    """What a third party does: the token, the downloaded certificate file and the command the page shows."""
    (tmp_path / tsa.TOKEN_FILENAME).write_bytes(stamp.response_der)
    (tmp_path / tsa.CERTIFICATE_FILENAME).write_bytes(tsa.tsa_certificate_pem())
    command = tsa.verify_command_text(data_file=data_file)
    return subprocess.run(shlex.split(command), cwd=tmp_path, capture_output=True, text=True)


def test_a_token_for_a_file_verifies_with_the_openssl_command_and_with_token_verify(
    embedded: Path, tmp_path: Path
) -> None:
    path, digest = _work(tmp_path)
    stamp = tsa.timestamp_digest(digest)

    result = _openssl_verify(tmp_path, stamp, path.name)
    assert (result.returncode, result.stdout) == (0, "Verification: OK\n")
    assert tsa.token_verify(response_der=stamp.response_der, data_path=str(path)) == Verification(
        True, VERIFIED
    )


def test_the_same_token_against_a_changed_file_fails_with_the_clear_message(
    embedded: Path, tmp_path: Path
) -> None:
    path, digest = _work(tmp_path)
    stamp = tsa.timestamp_digest(digest)
    path.write_bytes("第一集 剧本 v1（改过）\n".encode())

    result = _openssl_verify(tmp_path, stamp, path.name)
    assert (result.returncode, result.stdout) == (1, "Verification: FAILED\n")
    assert "message imprint mismatch" in result.stderr
    assert tsa.token_verify(response_der=stamp.response_der, data_path=str(path)) == Verification(
        False, CHANGED
    )


def test_a_token_verifies_against_the_digest_alone(embedded: Path, tmp_path: Path) -> None:
    _path, digest = _work(tmp_path)
    stamp = tsa.timestamp_digest(digest.upper())

    assert stamp.digest_hex == digest
    assert tsa.token_verify(response_der=stamp.response_der, digest_hex=digest) == Verification(
        True, VERIFIED
    )
    other = hashlib.sha256(b"another file").hexdigest()
    assert tsa.token_verify(response_der=stamp.response_der, digest_hex=other) == Verification(False, CHANGED)
    command = tsa.verify_command_text(digest_hex=digest)
    assert command == f"openssl ts -verify -in timestamp.tsr -digest {digest} -CAfile shouzhan-tsa.pem"
    (tmp_path / "timestamp.tsr").write_bytes(stamp.response_der)
    (tmp_path / "shouzhan-tsa.pem").write_bytes(tsa.tsa_certificate_pem())
    result = subprocess.run(shlex.split(command), cwd=tmp_path, capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, "Verification: OK\n")


def test_a_stamp_says_when_who_and_under_which_policy(embedded: Path, tmp_path: Path) -> None:
    _path, digest = _work(tmp_path)
    before = dt.datetime.now(dt.UTC)
    stamp = tsa.timestamp_digest(digest)
    after = dt.datetime.now(dt.UTC)

    assert stamp.gen_time.tzinfo == dt.UTC
    # The token's time has milliseconds (clock_precision_digits = 3): truncated, never rounded up.
    assert before - dt.timedelta(milliseconds=1) <= stamp.gen_time <= after
    assert (stamp.policy, stamp.tsa_name, stamp.hash_name, stamp.digest_hex) == (
        tsa.POLICY_OID,
        "首站 Shouzhan TSA",
        "sha256",
        digest,
    )
    assert stamp.response_der[:1] == b"\x30"  # a DER SEQUENCE: the whole TimeStampResp


def test_two_stamps_have_consecutive_serials(embedded: Path, tmp_path: Path) -> None:
    _path, digest = _work(tmp_path)
    first, second = tsa.timestamp_digest(digest), tsa.timestamp_digest(digest)

    assert int(second.serial) == int(first.serial) + 1
    assert first.response_der != second.response_der


def test_concurrent_stamping_never_reuses_a_serial(embedded: Path, tmp_path: Path) -> None:
    _path, digest = _work(tmp_path)
    serials: list[int] = []
    errors: list[BaseException] = []

    def stamp_three() -> None:
        try:
            for _ in range(3):
                serials.append(int(tsa.timestamp_digest(digest).serial))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=stamp_three) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(serials) == list(range(min(serials), min(serials) + 24))


def test_tsa_ensure_twice_keeps_the_keys(settings: Any, tmp_path: Path) -> None:
    settings.SHOUZHAN_TSA_DIR = tmp_path / "tsa"
    first = tsa.tsa_ensure()
    key, root = first.tsa_key.read_bytes(), first.root_cert.read_bytes()
    serial = first.serial.read_text()

    second = tsa.tsa_ensure()
    assert second == first
    assert (second.tsa_key.read_bytes(), second.root_cert.read_bytes()) == (key, root)
    assert second.serial.read_text() == serial
    assert {oct(path.stat().st_mode & 0o777) for path in (first.root_key, first.tsa_key)} == {"0o600"}
    assert oct(first.tsa_key.parent.stat().st_mode & 0o777) == "0o700"
    certificate = subprocess.run(
        ["openssl", "x509", "-in", str(first.tsa_cert), "-noout", "-subject", "-ext", "extendedKeyUsage",
         "-nameopt", "utf8"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert (
        certificate
        == "subject=CN=首站 Shouzhan TSA\nX509v3 Extended Key Usage: critical\n    Time Stamping\n"
    )


def test_tsa_ensure_from_many_threads_at_once_makes_one_authority(settings: Any, tmp_path: Path) -> None:
    settings.SHOUZHAN_TSA_DIR = tmp_path / "tsa"
    roots: list[bytes] = []

    def ensure() -> None:
        roots.append(tsa.tsa_ensure().root_cert.read_bytes())

    threads = [threading.Thread(target=ensure) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(roots) == 4 and len(set(roots)) == 1
    assert sorted(p.name for p in (tmp_path / "tsa").iterdir() if not p.name.startswith(".")) == [
        "keys",
        "serial",
        "tsa.cnf",
    ]


def test_a_missing_key_is_never_silently_remade(settings: Any, tmp_path: Path) -> None:
    settings.SHOUZHAN_TSA_DIR = tmp_path / "tsa"
    files = tsa.tsa_ensure()
    files.tsa_key.unlink()

    with pytest.raises(TsaError, match=r"不完整，缺少 tsa\.key：请从备份恢复"):
        tsa.tsa_ensure()


def test_a_garbage_response_is_refused_in_words(embedded: Path, tmp_path: Path) -> None:
    _path, digest = _work(tmp_path)
    tsa.tsa_ensure()

    for garbage in (b"not a time-stamp token", b""):
        verdict = tsa.token_verify(response_der=garbage, digest_hex=digest)
        assert verdict.ok is False
        assert verdict.message.startswith("无法读取时间戳记录：数据不是有效的 RFC 3161 时间戳")


def test_a_token_with_a_damaged_signature_is_refused_in_words(embedded: Path, tmp_path: Path) -> None:
    _path, digest = _work(tmp_path)
    damaged = bytearray(tsa.timestamp_digest(digest).response_der)
    damaged[-10] ^= 0x01  # inside the RSA signature, the last field of the SignerInfo

    assert tsa.token_verify(response_der=bytes(damaged), digest_hex=digest) == Verification(
        False, "时间戳签名无效：时间戳记录被改动过，或不是这个时间戳服务签发的"
    )


def test_a_bad_digest_is_refused_before_anything_is_signed(embedded: Path) -> None:
    with pytest.raises(TsaError, match="文件摘要格式不正确：应为 64 位十六进制的 SHA-256 值"):
        tsa.timestamp_digest("abc123")


def test_an_external_tsa_that_refuses_the_connection_is_a_clear_error(settings: Any, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is closed again: nothing listens there.
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    settings.SHOUZHAN_TSA_URL = f"http://127.0.0.1:{port}/tsa"
    settings.SHOUZHAN_TSA_CA_FILE = str(ca_file)
    settings.SHOUZHAN_TSA_DIR = tmp_path / "unused"

    with pytest.raises(TsaError) as refused:
        tsa.timestamp_digest(hashlib.sha256(b"x").hexdigest())
    assert str(refused.value) == f"无法连接外部时间戳服务 http://127.0.0.1:{port}/tsa：连接被拒绝"
    assert not (tmp_path / "unused").exists()


def test_an_external_tsa_without_its_ca_file_is_refused(settings: Any, tmp_path: Path) -> None:
    settings.SHOUZHAN_TSA_URL = "http://127.0.0.1:9/tsa"
    settings.SHOUZHAN_TSA_CA_FILE = ""

    with pytest.raises(TsaError, match="SHOUZHAN_TSA_CA_FILE 没有指向它的根证书文件"):
        tsa.timestamp_digest(hashlib.sha256(b"x").hexdigest())


@pytest.fixture
def external_tsa(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Another RFC 3161 service on localhost, answering POSTs with its own openssl TSA."""
    settings.SHOUZHAN_TSA_DIR = tmp_path_factory.mktemp("external")
    settings.SHOUZHAN_TSA_NAME = "外部 TSA"
    files = tsa.tsa_ensure()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = files.directory / "q.tsq"
            query.write_bytes(self.rfile.read(int(self.headers["Content-Length"])))
            assert self.headers["Content-Type"] == "application/timestamp-query"
            reply = subprocess.run(
                ["openssl", "ts", "-reply", "-config", str(files.config), "-queryfile", str(query),
                 "-inkey", str(files.tsa_key), "-signer", str(files.tsa_cert), "-chain", str(files.chain)],
                capture_output=True, check=True,
            ).stdout  # fmt: skip
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", files.root_cert
    finally:
        server.shutdown()
        server.server_close()


def test_an_external_tsa_stamps_and_its_tokens_verify_against_its_ca(
    external_tsa: tuple[str, Path], settings: Any, shared_tsa_dir: Path, tmp_path: Path
) -> None:
    url, ca_file = external_tsa
    settings.SHOUZHAN_TSA_URL, settings.SHOUZHAN_TSA_CA_FILE = url, str(ca_file)
    settings.SHOUZHAN_TSA_DIR = shared_tsa_dir  # the platform's own root stays trusted for older tokens
    path, digest = _work(tmp_path)

    stamp = tsa.timestamp_digest(digest)
    assert (stamp.tsa_name, stamp.policy) == ("外部 TSA", tsa.POLICY_OID)
    assert tsa.token_verify(response_der=stamp.response_der, data_path=str(path)) == Verification(
        True, VERIFIED
    )

    # Without the external CA the same token is from an authority nobody said to trust.
    settings.SHOUZHAN_TSA_CA_FILE = ""
    verdict = tsa.token_verify(response_der=stamp.response_der, data_path=str(path))
    assert verdict == Verification(
        False, "时间戳的签名证书未通过验证（证书链不通向受信任的根证书）：不是受信任的时间戳服务签发的"
    )


def test_an_external_tsa_signed_by_an_untrusted_ca_is_refused(
    external_tsa: tuple[str, Path], settings: Any, shared_tsa_dir: Path
) -> None:
    url, _ca_file = external_tsa
    # The platform's own root is not the one that signed the external TSA's certificate.
    settings.SHOUZHAN_TSA_URL = url
    settings.SHOUZHAN_TSA_CA_FILE = str(shared_tsa_dir / "keys" / "root.crt")

    with pytest.raises(TsaError, match="时间戳服务的回复未通过验证：时间戳的签名证书未通过验证"):
        tsa.timestamp_digest(hashlib.sha256(b"x").hexdigest())


def test_the_certificate_file_for_download_holds_the_root_and_the_tsa_certificate(embedded: Path) -> None:
    pem = tsa.tsa_certificate_pem()
    files = tsa.tsa_ensure()

    assert pem == files.root_cert.read_bytes() + files.tsa_cert.read_bytes()
    assert pem.count(b"-----BEGIN CERTIFICATE-----") == 2
    assert b"PRIVATE KEY" not in pem


def test_the_verify_command_for_a_file(embedded: Path) -> None:
    assert tsa.verify_command_text(data_file="剧本 v1.txt") == (
        "openssl ts -verify -in timestamp.tsr -data '剧本 v1.txt' -CAfile shouzhan-tsa.pem"
    )


def test_token_verify_of_a_missing_file(embedded: Path, tmp_path: Path) -> None:
    stamp = tsa.timestamp_digest(_work(tmp_path)[1])

    assert tsa.token_verify(
        response_der=stamp.response_der, data_path=str(tmp_path / "gone")
    ) == Verification(False, "找不到要验证的文件")


def test_the_init_command_prints_where_the_files_are(settings: Any, tmp_path: Path) -> None:
    settings.SHOUZHAN_TSA_DIR = tmp_path / "tsa"
    out = io.StringIO()

    call_command("assets_tsa_init", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == f"时间戳服务（RFC 3161）已就绪：{tmp_path / 'tsa'}"
    assert lines[3] == f"  时间戳证书: {tmp_path / 'tsa' / 'keys' / 'tsa.crt'}"
    assert len(lines) == 8
