"""The platform's own RFC 3161 time-stamping authority (#18), on the `openssl` command line.

Every stored version of a work gets a token from here; anyone can check one with `openssl ts -verify`
and the certificate `tsa_certificate_pem()` offers. The embedded TSA keeps its keys under
SHOUZHAN_TSA_DIR (made once by `manage.py assets_tsa_init`); SHOUZHAN_TSA_URL points at an external
RFC 3161 service instead, checked against SHOUZHAN_TSA_CA_FILE. Every failure is a `TsaError` with a
message in Chinese: the caller keeps the version and retries the stamp later.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import secrets
import shlex
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The platform's policy under which tokens are issued: an OID in the 2.25 (UUID) arc, which needs no
# registration (ITU-T X.667). Changing it would not invalidate old tokens, but keep it: it names the policy.
POLICY_OID = "2.25.154290819039420615385268180930428730429"
DEFAULT_NAME = "首站 Shouzhan TSA"
HASH_NAME = "sha256"
KEY_BITS = 3072
# `openssl ts -verify` checks the certificates at the moment it runs, not at the token's time: long lives.
ROOT_DAYS = 30 * 365 + 8
TSA_DAYS = 25 * 365 + 6
HTTP_TIMEOUT = 20
OPENSSL_TIMEOUT = 60
MAX_RESPONSE_BYTES = 1024 * 1024
CERTIFICATE_FILENAME = "shouzhan-tsa.pem"
TOKEN_FILENAME = "timestamp.tsr"

_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}
_DIGEST_RE = re.compile(r"[0-9a-f]{64}")


class TsaError(ValueError):
    """A stamp could not be made; the message says why, in Chinese."""


@dataclass(frozen=True)
class TsaFiles:
    directory: Path
    root_key: Path
    root_cert: Path
    tsa_key: Path
    tsa_cert: Path
    chain: Path  # the TSA certificate, then the root: what a response carries and what people download
    config: Path
    serial: Path


@dataclass(frozen=True)
class Stamp:
    response_der: bytes  # the whole TimeStampResp (.tsr)
    gen_time: dt.datetime  # aware, UTC
    serial: str  # decimal
    policy: str
    tsa_name: str
    digest_hex: str
    hash_name: str = HASH_NAME


@dataclass(frozen=True)
class Verification:
    ok: bool
    message: str


# --- settings ---------------------------------------------------------------------------------------


def _tsa_dir() -> Path:
    configured = getattr(settings, "SHOUZHAN_TSA_DIR", None)
    if configured:
        return Path(configured)
    var_dir = getattr(settings, "VAR_DIR", None) or Path(settings.BASE_DIR) / "var"
    return Path(var_dir) / "tsa"


def _tsa_url() -> str:
    return str(getattr(settings, "SHOUZHAN_TSA_URL", "") or "").strip()


def _tsa_ca_file() -> Path | None:
    configured = getattr(settings, "SHOUZHAN_TSA_CA_FILE", None)
    return Path(configured) if configured else None


def _tsa_name() -> str:
    return str(getattr(settings, "SHOUZHAN_TSA_NAME", "") or DEFAULT_NAME)


def _files(directory: Path) -> TsaFiles:
    keys = directory / "keys"
    root_key, root_cert, tsa_key, tsa_cert = (
        keys / n for n in ("root.key", "root.crt", "tsa.key", "tsa.crt")
    )
    chain, config, serial = keys / "chain.pem", directory / "tsa.cnf", directory / "serial"
    return TsaFiles(directory, root_key, root_cert, tsa_key, tsa_cert, chain, config, serial)


# --- openssl ----------------------------------------------------------------------------------------


def _openssl() -> str:
    found = shutil.which(str(getattr(settings, "SHOUZHAN_OPENSSL", "openssl")))
    if found is None:
        raise TsaError(_("服务器上找不到 openssl 命令：时间戳服务需要它（Debian 软件包 openssl）"))
    return found


def _run(*flags: str, **options: object) -> subprocess.CompletedProcess[str]:
    """`openssl FLAGS -name value ...`: `in_=x` is `-in x`, a None value leaves the option out."""
    command = [_openssl(), *flags]
    for name, value in options.items():
        if value is not None:
            command += [f"-{name.rstrip('_')}", str(value)]
    try:
        # umask 077: every file openssl writes (keys above all) is readable by this user only.
        return subprocess.run(  # noqa: S603 — a fixed program, arguments as a list, never a shell
            command, capture_output=True, text=True, errors="replace", timeout=OPENSSL_TIMEOUT, umask=0o077
        )
    except subprocess.TimeoutExpired as exc:
        raise TsaError(_("openssl 命令超时（%(seconds)s 秒）") % {"seconds": OPENSSL_TIMEOUT}) from exc
    except OSError as exc:
        raise TsaError(_("无法运行 openssl 命令：%(reason)s") % {"reason": exc.strerror or exc}) from exc


def _reason(result: subprocess.CompletedProcess[str]) -> str:
    """openssl's own words for the last error (`...:error:code:lib:func:reason:file:line:detail`)."""
    reasons = re.findall(r":error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):[^:]*:\d+:?(.*)", result.stderr)
    if reasons:
        return " ".join(reasons[-1]).strip()
    lines = [line for line in result.stderr.splitlines() if not line.startswith("Using configuration")]
    return lines[-1] if lines and lines[-1] else _("没有说明")


def _check(result: subprocess.CompletedProcess[str], message: str) -> None:
    if result.returncode != 0:
        raise TsaError(_("%(message)s（openssl：%(why)s）") % {"message": message, "why": _reason(result)})


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock between processes and threads alike (flock: one per open file description)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomic(path: Path, content: str) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
        handle.write(content)
    os.replace(temporary, path)


# --- making the authority ---------------------------------------------------------------------------


def _config_text(files: TsaFiles) -> str:
    template = Path(__file__).with_name("tsa_openssl.cnf").read_text()
    names = ("config", "serial", "tsa_cert", "chain", "tsa_key")
    # Paths go into openssl's config syntax, where $, # and quotes mean something.
    values = {name: re.sub(r"([\\$#\"'])", r"\\\1", str(getattr(files, name))) for name in names}
    return template.format(policy=POLICY_OID, **values)


def _subject(common_name: str) -> str:
    return "/CN=" + re.sub(r"([\\/=+,])", r"\\\1", common_name)


def _make_keys(files: TsaFiles) -> None:
    """Root CA and TSA certificate made in a private scratch directory, then renamed into place at once:
    a crash leaves no half-made authority."""
    scratch = Path(tempfile.mkdtemp(prefix=".keys-", dir=files.directory))
    try:
        name, failed = _tsa_name(), _("无法生成时间戳服务的证书")
        root_key, root_cert = scratch / files.root_key.name, scratch / files.root_cert.name
        tsa_key, tsa_cert = scratch / files.tsa_key.name, scratch / files.tsa_cert.name
        csr = scratch / "tsa.csr"
        new_key = {"newkey": f"rsa:{KEY_BITS}", "config": files.config}
        root_options = {"keyout": root_key, "out": root_cert, "days": ROOT_DAYS, "extensions": "root_ext"}
        root = _run(
            *"req -x509 -new -nodes -utf8 -sha256".split(),
            **new_key,
            **root_options,
            subj=_subject(f"{name} 根证书"),
        )
        _check(root, failed)
        request = _run(
            *"req -new -nodes -utf8".split(), **new_key, keyout=tsa_key, out=csr, subj=_subject(name)
        )
        _check(request, failed)
        ca = {"CA": root_cert, "CAkey": root_key, "set_serial": secrets.randbits(120), "days": TSA_DAYS}
        signed = _run(
            "x509", "-req", "-sha256", in_=csr, out=tsa_cert, **ca, extfile=files.config, extensions="tsa_ext"
        )
        _check(signed, failed)
        (scratch / files.chain.name).write_bytes(tsa_cert.read_bytes() + root_cert.read_bytes())
        csr.unlink()
        for path in scratch.iterdir():
            path.chmod(0o600)
        os.rename(scratch, files.root_cert.parent)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def _ready(files: TsaFiles) -> bool:
    paths = (files.root_cert, files.tsa_key, files.tsa_cert, files.chain, files.serial)
    if not all(path.is_file() for path in paths):
        return False
    with contextlib.suppress(OSError):
        return files.config.read_text() == _config_text(files)
    return False


def tsa_ensure() -> TsaFiles:
    """The embedded TSA's files, made if missing (root CA, TSA certificate, config, serial file).
    Idempotent, and safe when several processes call it at once; existing keys are never replaced."""
    files = _files(_tsa_dir())
    if _ready(files):
        return files
    try:
        files.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with _locked(files.directory / ".ensure.lock"):
            text = _config_text(files)
            if not files.config.is_file() or files.config.read_text() != text:
                _write_atomic(files.config, text)
            if not files.root_cert.parent.exists():
                _make_keys(files)
            key_files = (files.root_key, files.root_cert, files.tsa_key, files.tsa_cert, files.chain)
            missing = [path.name for path in key_files if not path.is_file()]
            if missing:
                # Never remake them: tokens already issued are checked against these very certificates.
                raise TsaError(
                    _("时间戳服务目录 %(dir)s 不完整，缺少 %(files)s：请从备份恢复，不要删除后重新生成")
                    % {"dir": files.root_cert.parent, "files": "、".join(missing)}
                )
            if not files.serial.is_file():
                # Start from the clock in microseconds, so a lost serial file never reissues a serial.
                serial = f"{time.time_ns() // 1000:X}"
                _write_atomic(files.serial, serial.zfill(len(serial) + len(serial) % 2) + "\n")
    except OSError as exc:
        raise TsaError(
            _("无法建立时间戳服务目录 %(dir)s：%(reason)s")
            % {"dir": files.directory, "reason": exc.strerror or exc}
        ) from exc
    return files


# --- stamping ---------------------------------------------------------------------------------------


def _normalise_digest(digest_hex: str) -> str:
    digest = digest_hex.strip().lower()
    if not _DIGEST_RE.fullmatch(digest):
        raise TsaError(_("文件摘要格式不正确：应为 64 位十六进制的 SHA-256 值"))
    return digest


def _post(url: str, query: bytes) -> bytes:
    if not url.lower().startswith(("http://", "https://")):
        raise TsaError(_("外部时间戳服务地址必须以 http:// 或 https:// 开头：%(url)s") % {"url": url})
    request = urllib.request.Request(  # noqa: S310 — the scheme is checked above
        url,
        data=query,
        method="POST",
        headers={"Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"},
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
            body: bytes = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise TsaError(
            _("外部时间戳服务 %(url)s 返回错误 %(status)s") % {"url": url, "status": exc.code}
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, ConnectionRefusedError):
            why = _("连接被拒绝")
        elif isinstance(reason, TimeoutError):
            why = _("%(seconds)s 秒内没有回应") % {"seconds": HTTP_TIMEOUT}
        else:
            why = str(reason)
        raise TsaError(_("无法连接外部时间戳服务 %(url)s：%(why)s") % {"url": url, "why": why}) from exc
    if not body or len(body) > MAX_RESPONSE_BYTES:
        raise TsaError(_("外部时间戳服务 %(url)s 的回复为空或过大") % {"url": url})
    return body


def _reply_embedded(files: TsaFiles, query: Path, out: Path) -> None:
    # openssl reads, increments and rewrites the serial file: one signer at a time, or serials repeat.
    with _locked(files.directory / ".serial.lock"):
        signer = {"inkey": files.tsa_key, "signer": files.tsa_cert, "chain": files.chain}
        result = _run("ts", "-reply", config=files.config, queryfile=query, **signer, out=out)
    _check(result, _("内置时间戳服务签发失败"))
    if not out.is_file() or out.stat().st_size == 0:
        raise TsaError(_("内置时间戳服务没有给出回复"))


def _decode_escapes(text: str) -> str:
    """openssl prints a UTF-8 name as \\xE9\\xA6...: back to text."""
    raw = re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), text)
    return raw.encode("latin-1", "replace").decode("utf-8", "replace")


def _parse_reply_text(text: str) -> tuple[dt.datetime, str, str, str, str]:
    """(gen time, serial, policy, TSA name, hash) from `openssl ts -reply -in R -text`."""
    status = re.search(r"^Status: (.*)$", text, re.M)
    if status is None or status.group(1).strip() != "Granted.":
        description = re.search(r"^Status description: (.*)$", text, re.M)
        raise TsaError(
            _("时间戳服务拒绝了请求：%(why)s")
            % {"why": description.group(1).strip() if description else _("回复无法读取")}
        )
    when = re.search(r"^Time stamp: (\w{3}) +(\d+) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? (\d{4}) GMT", text, re.M)
    serial = re.search(r"^Serial number: 0x([0-9A-Fa-f]+)$", text, re.M)
    policy = re.search(r"^Policy OID: (.*)$", text, re.M)
    hash_name = re.search(r"^Hash Algorithm: (.*)$", text, re.M)
    if when is None or serial is None or policy is None or hash_name is None or when.group(1) not in _MONTHS:
        raise TsaError(_("时间戳服务的回复无法读取：缺少时间、序列号或政策"))
    month, day, hour, minute, second, fraction, year = when.groups()
    micro = int((fraction or "0").ljust(6, "0")[:6])
    gen_time = dt.datetime(
        int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), micro, dt.UTC
    )
    tsa = re.search(r"^TSA: (.*)$", text, re.M)
    tsa_name = _decode_escapes(tsa.group(1).strip()) if tsa else ""
    if tsa_name.startswith("DirName:"):
        common_name = re.search(r"/CN=((?:[^/\\]|\\.)*)", tsa_name)
        tsa_name = (
            common_name.group(1).replace("\\", "") if common_name else tsa_name.removeprefix("DirName:")
        )
    serial_number = str(int(serial.group(1), 16))
    return gen_time, serial_number, policy.group(1).strip(), tsa_name, hash_name.group(1).strip()


def timestamp_digest(digest_hex: str) -> Stamp:
    """A time-stamp token for a SHA-256 digest, from the embedded TSA or SHOUZHAN_TSA_URL; checked
    (signature, certificate, digest, nonce) before it is returned. Raises TsaError."""
    digest = _normalise_digest(digest_hex)
    url = _tsa_url()
    files = None if url else tsa_ensure()
    ca_file = files.root_cert if files is not None else _tsa_ca_file()
    untrusted = files.tsa_cert if files is not None else None
    if ca_file is None or not ca_file.is_file():
        raise TsaError(
            _("设置了外部时间戳服务 SHOUZHAN_TSA_URL，但 SHOUZHAN_TSA_CA_FILE 没有指向它的根证书文件")
        )
    with tempfile.TemporaryDirectory(prefix="shouzhan-tsa-") as scratch:
        query, response = Path(scratch) / "request.tsq", Path(scratch) / "response.tsr"
        _check(
            _run("ts", "-query", "-sha256", "-cert", digest=digest, out=query),
            _("无法生成时间戳请求"),
        )
        if files is not None:
            _reply_embedded(files, query, response)
        else:
            response.write_bytes(_post(url, query.read_bytes()))
        text = _run("ts", "-reply", "-text", in_=response)
        _check(text, _("时间戳服务的回复无法读取"))
        gen_time, serial, policy, tsa_name, hash_name = _parse_reply_text(text.stdout)
        # With the query: the reply answers this digest and this nonce, signed by a trusted TSA.
        checked = _verification(
            _run("ts", "-verify", queryfile=query, in_=response, CAfile=ca_file, untrusted=untrusted)
        )
        if not checked.ok:
            raise TsaError(_("时间戳服务的回复未通过验证：%(why)s") % {"why": checked.message})
        der = response.read_bytes()
    return Stamp(der, gen_time, serial, policy, tsa_name or url or _tsa_name(), digest, hash_name)


# --- verifying --------------------------------------------------------------------------------------

_CERTIFICATE_PROBLEMS = {
    "certificate has expired": gettext_noop("证书已过期"),
    "certificate is not yet valid": gettext_noop("证书尚未生效"),
    "self-signed certificate in certificate chain": gettext_noop("证书链不通向受信任的根证书"),
    "unable to get local issuer certificate": gettext_noop("证书链不通向受信任的根证书"),
    "unable to get issuer certificate": gettext_noop("证书链不通向受信任的根证书"),
    "invalid signer certificate purpose": gettext_noop("签名证书不是时间戳专用证书"),
    "certificate revoked": gettext_noop("证书已被吊销"),
}


def _verification(result: subprocess.CompletedProcess[str]) -> Verification:
    """openssl's verdict in words: a changed file, a forged or damaged token, an untrusted certificate."""
    output = result.stdout + result.stderr
    if result.returncode == 0 and "Verification: OK" in output:
        return Verification(True, _("验证通过：文件内容与登记时一致，时间戳签名和证书有效"))
    if "message imprint mismatch" in output:
        return Verification(False, _("文件内容与时间戳记录的哈希不一致：文件在登记后被修改过"))
    if "signature failure" in output:
        return Verification(False, _("时间戳签名无效：时间戳记录被改动过，或不是这个时间戳服务签发的"))
    problem = re.search(r"Verify error:(.*)$|invalid signer certificate purpose", output, re.M)
    if problem:
        key = (problem.group(1) or problem.group(0)).strip()
        why = _CERTIFICATE_PROBLEMS.get(key, key)
        return Verification(
            False, _("时间戳的签名证书未通过验证（%(why)s）：不是受信任的时间戳服务签发的") % {"why": _(why)}
        )
    if "no time stamp token" in output or "status code:" in output:
        return Verification(False, _("时间戳服务拒绝了这次请求，记录中没有时间戳"))
    if "nonce mismatch" in output:
        return Verification(False, _("时间戳服务的回复与请求不符（随机数不一致）"))
    return Verification(
        False,
        _("无法读取时间戳记录：数据不是有效的 RFC 3161 时间戳（openssl：%(reason)s）")
        % {"reason": _reason(result)},
    )


def _trust_anchors() -> list[Path]:
    anchors = [_files(_tsa_dir()).root_cert]
    ca_file = _tsa_ca_file()
    if ca_file is not None:
        anchors.append(ca_file)
    return [path for path in anchors if path.is_file()]


def token_verify(
    *, response_der: bytes, data_path: str | Path | None = None, digest_hex: str | None = None
) -> Verification:
    """Checks a token against a file (or its SHA-256 digest) the way a third party would, with
    `openssl ts -verify`; trusts the embedded TSA's root and SHOUZHAN_TSA_CA_FILE, whichever exist."""
    if (data_path is None) == (digest_hex is None):
        raise ValueError("token_verify needs exactly one of data_path and digest_hex")
    if data_path is not None and not Path(data_path).is_file():
        return Verification(False, _("找不到要验证的文件"))
    if digest_hex is not None and not _DIGEST_RE.fullmatch(digest_hex.strip().lower()):
        return Verification(False, _("文件摘要格式不正确：应为 64 位十六进制的 SHA-256 值"))
    anchors = _trust_anchors()
    if not anchors:
        return Verification(False, _("没有可用来验证的时间戳服务证书：时间戳服务尚未建立"))
    tsa_cert = _files(_tsa_dir()).tsa_cert
    try:
        with tempfile.TemporaryDirectory(prefix="shouzhan-tsa-") as scratch:
            response, ca_bundle = Path(scratch) / TOKEN_FILENAME, Path(scratch) / CERTIFICATE_FILENAME
            response.write_bytes(response_der)
            ca_bundle.write_bytes(b"".join(path.read_bytes() for path in anchors))
            digest = digest_hex.strip().lower() if digest_hex is not None else None
            untrusted = tsa_cert if tsa_cert.is_file() else None
            against = {"data": data_path, "digest": digest}
            return _verification(
                _run("ts", "-verify", in_=response, **against, CAfile=ca_bundle, untrusted=untrusted)
            )
    except TsaError as exc:
        return Verification(False, str(exc))


def tsa_certificate_pem() -> bytes:
    """What a verification page offers for download: the root CA and the TSA certificate (embedded),
    and the external TSA's CA when one is configured. `-CAfile` for `openssl ts -verify`."""
    files = _files(_tsa_dir()) if _tsa_url() else tsa_ensure()
    paths = [files.root_cert, files.tsa_cert, _tsa_ca_file()]
    parts = [path.read_bytes() for path in paths if path is not None and path.is_file()]
    return b"".join(part if part.endswith(b"\n") else part + b"\n" for part in parts)


def verify_command_text(
    *,
    data_file: str | None = None,
    digest_hex: str | None = None,
    token_file: str = TOKEN_FILENAME,
    ca_file: str = CERTIFICATE_FILENAME,
) -> str:
    """The exact command a third party runs with the downloaded token and certificate file."""
    if digest_hex is not None:
        against = ["-digest", digest_hex.strip().lower()]
    else:
        against = ["-data", data_file if data_file is not None else _("你的文件")]
    return shlex.join(["openssl", "ts", "-verify", "-in", token_file, *against, "-CAfile", ca_file])
