"""Kafka authentication settings become the same options for aiokafka and FastStream.

Unit level only: the local broker (Tansu) is run without authentication, so a SASL handshake
is not exercised here; deploy/ wires these settings to Strimzi's SCRAM listener.
"""

from __future__ import annotations

import pytest
from faststream.security import SASLScram512

from libs.chassis.kafka import broker_security, client_security, make_broker, make_producer
from libs.chassis.settings import Settings


def test_plaintext_by_default():
    settings = Settings()
    assert client_security(settings) == {"security_protocol": "PLAINTEXT"}
    assert broker_security(settings) is None


async def test_sasl_ssl_with_scram_credentials_and_the_cluster_ca():
    settings = Settings(
        kafka_security_protocol="SASL_SSL",
        kafka_username="jisr-incidents",
        kafka_password="s3cret",
    )
    options = client_security(settings)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "jisr-incidents",
        "s3cret",
    )
    assert options["ssl_context"] is not None
    security = broker_security(settings)
    assert isinstance(security, SASLScram512) and security.use_ssl
    # both client kinds take them (aiokafka validates the combination when constructed)
    producer = make_producer(settings, "t")
    await producer.stop()
    assert make_broker(settings, "incidents") is not None


def test_sasl_without_credentials_names_the_missing_variables():
    settings = Settings(kafka_security_protocol="SASL_PLAINTEXT")
    with pytest.raises(ValueError, match="JISR_KAFKA_USERNAME and JISR_KAFKA_PASSWORD"):
        client_security(settings)
