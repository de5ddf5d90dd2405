"""TLS for the PostgreSQL port: a given certificate, or a self-signed one made at start.

``sslmode=require`` only asks for encryption, not for a certificate it can verify, so
a certificate generated at start (valid for ``localhost``, 127.0.0.1 and ::1) is
enough for local use and tests. For ``verify-full``, pass a real certificate.

The certificate is made with the ``cryptography`` package when it is importable
(EC P-256, no subprocess), otherwise with the ``openssl`` command-line tool. The
files live in a temporary directory only as long as ``SSLContext.load_cert_chain``
needs them.
"""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import ssl
import subprocess
import tempfile
from pathlib import Path

CERTIFICATE_VALID_DAYS = 365
_HOSTNAMES = ("localhost",)
_ADDRESSES = ("127.0.0.1", "::1")


def server_context(certfile: str | Path, keyfile: str | Path) -> ssl.SSLContext:
    """A server-side context for the given PEM certificate chain and key (TLS ≥ 1.2)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(certfile), str(keyfile))
    return context


def resolve_ssl_context(
    certfile: str | Path | None = None,
    keyfile: str | Path | None = None,
    *,
    enabled: bool = True,
) -> ssl.SSLContext | None:
    """What a server should use: the given files, else a fresh self-signed certificate;
    ``None`` (clients get 'N' to SSLRequest) only when TLS is switched off."""
    if not enabled:
        return None
    if certfile is not None or keyfile is not None:
        if certfile is None or keyfile is None:
            raise ValueError("give both a certificate file and a key file, or neither")
        return server_context(certfile, keyfile)
    return self_signed_context()


def self_signed_context(common_name: str = "localhost") -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate."""
    with tempfile.TemporaryDirectory(prefix="tidesql-tls-") as directory:
        certfile, keyfile = write_self_signed(Path(directory), common_name)
        return server_context(certfile, keyfile)


def write_self_signed(directory: Path, common_name: str = "localhost") -> tuple[Path, Path]:
    """Write ``server.crt`` and ``server.key`` (PEM) into ``directory``."""
    certfile = directory / "server.crt"
    keyfile = directory / "server.key"
    try:
        certificate_pem, key_pem = _generate_with_cryptography(common_name)
    except ImportError:
        _generate_with_openssl(common_name, certfile, keyfile)
    else:
        certfile.write_bytes(certificate_pem)
        keyfile.write_bytes(key_pem)
    keyfile.chmod(0o600)
    return certfile, keyfile


def _generate_with_cryptography(common_name: str) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    alternative_names: list[x509.GeneralName] = [x509.DNSName(h) for h in _HOSTNAMES]
    if common_name not in _HOSTNAMES:
        alternative_names.append(x509.DNSName(common_name))
    alternative_names += [x509.IPAddress(ipaddress.ip_address(a)) for a in _ADDRESSES]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=CERTIFICATE_VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return certificate_pem, key_pem


def _generate_with_openssl(common_name: str, certfile: Path, keyfile: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError(
            "cannot make a TLS certificate: neither the cryptography package "
            "nor the openssl command is available"
        )
    names = [f"DNS:{h}" for h in _HOSTNAMES] + [f"IP:{a}" for a in _ADDRESSES]
    if common_name not in _HOSTNAMES:
        names.append(f"DNS:{common_name}")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(keyfile),
            "-out",
            str(certfile),
            "-days",
            str(CERTIFICATE_VALID_DAYS),
            "-subj",
            f"/CN={common_name}",
            "-addext",
            "subjectAltName=" + ",".join(names),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
