"""A real S3-compatible server on loopback for the storage tests: moto's standalone
server, started once per session in a thread (or the one named by S3_TEST_ENDPOINT_URL,
for example started by .ci/run). Each test that asks for `s3` gets a fresh private bucket
and the portal's own S3 settings block (clamtex/settings.py) applied to it; the rest of
the suite stays on the local disk."""

import os
import runpy
import uuid

import pytest

import clamtex

SETTINGS_FILE = os.path.join(os.path.dirname(clamtex.__file__), "settings.py")
S3_KEYS = {
    "S3_ACCESS_KEY_ID": "testing",
    "S3_SECRET_ACCESS_KEY": "testing",  # noqa: S105 (moto accepts any key)
    "S3_REGION": "eu-west-3",
}


@pytest.fixture(scope="session")
def s3_server():
    endpoint = os.environ.get("S3_TEST_ENDPOINT_URL")
    if endpoint:
        yield endpoint
        return
    from moto.server import ThreadedMotoServer

    # A free port on loopback unless S3_TEST_PORT names one.
    server = ThreadedMotoServer(
        ip_address="127.0.0.1", port=int(os.environ.get("S3_TEST_PORT", "0")), verbose=False
    )
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_client(s3_server):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=S3_KEYS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_KEYS["S3_SECRET_ACCESS_KEY"],
        region_name=S3_KEYS["S3_REGION"],
    )


def s3_settings(bucket: str, endpoint: str, **extra) -> dict:
    """The settings module's namespace with S3_* set: the real block, not a copy of it."""
    env = {**S3_KEYS, "S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint, **extra}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        return runpy.run_path(str(SETTINGS_FILE))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def s3(settings, s3_server, s3_client):
    """The default storage is a fresh bucket; yields the bucket name."""
    bucket = f"clamtex-test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_KEYS["S3_REGION"]}
    )
    namespace = s3_settings(bucket, s3_server)
    settings.STORAGES = {**settings.STORAGES, "default": namespace["STORAGES"]["default"]}
    settings.FILES_DOWNLOAD = namespace["FILES_DOWNLOAD"]
    settings.FILES_URL_EXPIRE = namespace["FILES_URL_EXPIRE"]
    yield bucket


@pytest.fixture
def bucket_keys(s3_client, s3):
    def keys() -> list[str]:
        listing = s3_client.list_objects_v2(Bucket=s3)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    return keys
