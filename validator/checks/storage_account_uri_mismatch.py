"""The backup extension's storageAccountURI is not the blob endpoint of its configured storage account (RULES.md P-06)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from validator.checks.backup_extension_settings import CONFIG, SETTINGS, cluster_of, setting
from validator.graph import InfraGraph, region_of
from validator.graph.network_view import cloud_of
from validator.model import Finding, Unknown
from validator.reference_data import load

URI = CONFIG + "storageAccountURI"
ACCOUNT = CONFIG + "storageAccount"


def _host(uri: str) -> str:
    """The host of a URL (or of a scheme-less 'host/path'), lower case, without port or trailing dot."""
    text = uri.strip()
    host = urlsplit(text).hostname if "://" in text else text.split("/", 1)[0].split(":", 1)[0]
    return (host or "").rstrip(".").lower()


def _zone_host(host: str, account: str, zone_suffix: str) -> bool:
    """``<account>.zNN.blob.storage.azure.net``: the endpoint of an account with dnsEndpointType AzureDnsZone."""
    return re.fullmatch(rf"{re.escape(account)}\.z\d\d\.{re.escape(zone_suffix)}", host) is not None


def storage_account_uri_mismatch(graph: InfraGraph) -> Iterator[Finding]:
    """Per backup extension with a literal storageAccountURI: an error when its host is not
    ``<storageAccount>.blob.<storage suffix>`` of the cluster's cloud; info when that cannot be told."""
    data = load("storage_suffixes")
    suffixes: dict[str, str] = data["storage"]
    for ext in graph.backup_extensions():
        uri = setting(ext, URI)
        if not isinstance(uri, str) or isinstance(uri, Unknown) or not uri.strip():
            continue  # absent (AKSB-EXT-002 says so) or an expression such as reference(...).primaryEndpoints.blob
        cluster = cluster_of(graph, ext)
        name = ext.display_name + (f"' on cluster '{cluster.display_name}" if cluster is not None else "")
        where = ext.location_of(*SETTINGS, URI)
        account = setting(ext, ACCOUNT)
        host = _host(uri)
        if isinstance(account, Unknown):
            yield Finding(
                message=f"storage account of backup extension '{name}' is not known statically ({account}); cannot tell whether "
                        f"storageAccountURI '{uri}' is its blob endpoint",
                location=where, severity="info", subject=ext,
                fix=f"Set '{URI}' of backup extension '{name}' from the account itself: reference(<storage account id>).primaryEndpoints.blob.")
            continue
        if not isinstance(account, str) or not account.strip():
            continue  # no account: AKSB-EXT-002's error
        account = account.strip().lower()
        region = region_of(cluster) if cluster is not None else None
        cloud = cloud_of(region) if region else None
        expected = {c: f"{account}.blob.{s}" for c, s in suffixes.items()}
        wanted = expected[cloud] if cloud else f"{account}.blob.<storage suffix of the cloud>"
        if host == (expected[cloud] if cloud else None) or (cloud is None and host in expected.values()):
            continue
        if _zone_host(host, account, data["dns_zone_blob"]) and cloud in (None, "public"):
            continue  # an Azure DNS zone endpoint of the account (dnsEndpointType AzureDnsZone)
        if cloud not in (None, "public") and host == expected["public"]:
            # environment().suffixes.storage is evaluated for the public cloud here: the literal may come from it
            yield Finding(
                message=f"storageAccountURI '{uri}' of backup extension '{name}' uses the public-cloud storage suffix while cluster "
                        f"'{cluster.display_name}' is in {region} ({cloud} cloud); if it is written literally the extension has no "
                        f"backup storage location (expected host '{wanted}')",
                location=where, severity="info", subject=ext,
                fix=f"Set '{URI}' of backup extension '{name}' to reference(<storage account id>).primaryEndpoints.blob, or to https://{wanted}/.")
            continue
        if host in expected.values():
            other = next(c for c, h in expected.items() if h == host)
            reason = f"a {other}-cloud endpoint while cluster '{cluster.display_name}' is in {region} ({cloud} cloud)"
        else:
            reason = f"not the blob endpoint of storage account '{account}'"
        yield Finding(
            message=f"storageAccountURI '{uri}' of backup extension '{name}' has host '{host}', {reason}; the extension "
                    f"finds no backup storage location (expected host '{wanted}')",
            location=where, subject=ext,
            fix=(f"Set '{URI}' of backup extension '{name}' to https://{wanted}/ or, better, "
                 f"reference(<storage account '{account}' id>).primaryEndpoints.blob."))
