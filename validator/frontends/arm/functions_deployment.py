"""Deployment functions
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-deployment).
"""
from __future__ import annotations

from typing import Any, Mapping

from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import arity, expect_str, get_member
from validator.model import Unknown

# environment() in the public cloud, as documented for AzureCloud.
AZURE_CLOUD = {
    "name": "AzureCloud",
    "gallery": "https://gallery.azure.com/",
    "graph": "https://graph.windows.net/",
    "portal": "https://portal.azure.com",
    "graphAudience": "https://graph.windows.net/",
    "activeDirectoryDataLake": "https://datalake.azure.net/",
    "batch": "https://batch.core.windows.net/",
    "media": "https://rest.media.azure.net",
    "sqlManagement": "https://management.core.windows.net:8443/",
    "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
    "resourceManager": "https://management.azure.com/",
    "authentication": {
        "loginEndpoint": "https://login.microsoftonline.com/",
        "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
        "tenant": "common",
        "identityProvider": "AAD",
    },
    "suffixes": {
        "acrLoginServer": ".azurecr.io",
        "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
        "azureDatalakeStoreFileSystem": "azuredatalakestore.net",
        "azureFrontDoorEndpointSuffix": "azurefd.net",
        "keyvaultDns": ".vault.azure.net",
        "sqlServerHostname": ".database.windows.net",
        "storage": "core.windows.net",
    },
}


def lookup(mapping: Mapping, name: str, kind: str) -> Any:
    """A parameter or variable by name (case-insensitive, as ARM names are).

    Lazy scopes of the template evaluator provide ``lookup(name)``; plain
    dictionaries are searched directly.
    """
    finder = getattr(mapping, "lookup", None)
    if finder is not None:
        return finder(name)
    found, value = get_member(mapping, name)
    if not found:
        raise ExpressionError(f"the template has no {kind} named '{name}'")
    return value


def _parameters(ctx, args):
    arity("parameters", args, 1, 1)
    return lookup(ctx.parameters, expect_str("parameters", 1, args[0]), "parameter")


def _variables(ctx, args):
    arity("variables", args, 1, 1)
    if ctx.in_user_function:
        raise ExpressionError("variables() cannot be used inside a user-defined function")
    return lookup(ctx.variables, expect_str("variables", 1, args[0]), "variable")


def _deployment(ctx, args):
    arity("deployment", args, 0, 0)
    template = ctx.template if isinstance(ctx.template, dict) else {}
    result = {
        "name": ctx.deployment_name,
        "properties": {
            "template": {key: template[key] for key in ("$schema", "contentVersion", "metadata")
                         if key in template},
            "templateHash": Unknown("the deployment's template hash"),
            # Set only when deployed from a URI, which a repository scan cannot know.
            "templateLink": Unknown("the deployment's template link"),
            "parameters": {},
            "mode": "Incremental",
            "provisioningState": "Accepted",
        },
    }
    if ctx.scope != "resourceGroup":  # only deployments above a resource group have a location
        result["location"] = ctx.location if ctx.location is not None else Unknown("the deployment's location")
    return result


def _environment(ctx, args):
    arity("environment", args, 0, 0)
    return AZURE_CLOUD


FUNCTIONS = {
    "deployment": _deployment,
    "environment": _environment,
    "parameters": _parameters,
    "variables": _variables,
}
