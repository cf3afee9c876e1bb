"""An admission webhook calls a Service that the manifests do not declare."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import InfraGraph
from validator.graph.kubernetes_view import known_str, manifests, services
from validator.model import Finding

KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")


def webhook_service_missing(graph: InfraGraph) -> Iterator[Finding]:
    """Yield an info per webhook whose clientConfig.service is not a Service in the manifests."""
    declared = services(graph)
    for resource in manifests(graph):
        if resource.body.get("kind") not in KINDS or not str(resource.body.get("apiVersion", "")).startswith("admissionregistration.k8s.io/"):
            continue
        webhooks = resource.get("webhooks")
        for index, webhook in enumerate(webhooks if isinstance(webhooks, list) else []):
            service = webhook.get("clientConfig", {}).get("service") if isinstance(webhook, dict) and isinstance(webhook.get("clientConfig"), dict) else None
            if not isinstance(service, dict):
                continue
            namespace, name = known_str(service.get("namespace")), known_str(service.get("name"))
            if not namespace or not name or (namespace, name) in declared:
                continue
            policy = webhook.get("failurePolicy", "Fail")
            consequence = ("with failurePolicy Fail, requests it intercepts are rejected while the Service is missing, "
                           "so restoring those objects can fail (KubernetesBackupGenericWarning)") if policy == "Fail" else \
                "restores of the objects it intercepts may be skipped or altered"
            yield Finding(
                message=f"{resource.body.get('kind')} '{resource.name}' webhook '{webhook.get('name', index)}' calls Service '{namespace}/{name}', "
                        f"which the manifests do not declare; {consequence}",
                location=resource.location_of("webhooks", index, "clientConfig", "service", "name"), severity="info", subject=resource,
                fix=f"Deploy Service '{name}' in namespace '{namespace}' with the webhook (and include it in the backup), "
                    f"or delete {resource.body.get('kind')} '{resource.name}' if the webhook is no longer used")
