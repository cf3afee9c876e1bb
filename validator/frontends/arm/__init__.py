"""The ARM template front-end: expression language and template evaluator.

Public interface:

* ``expressions.evaluate_arm_expression(expression, context) -> object`` and
  ``syntax.ExpressionError`` (``UnknownFunctionError`` for undefined functions),
  both also importable from ``expressions``;
* ``template.evaluate_template(template, *, parameter_values, context, file,
  read_linked) -> TemplateResult`` with ``DeploymentContext``,
  ``EvaluatedResource``, ``TemplateResult`` and ``TemplateDiagnostic``;
* the ``PLACEHOLDER_*`` strings that stand for an unconfigured subscription,
  resource group, tenant, management group and deployment name.

Modules are small and named by subject: ``syntax`` (lexer, parser),
``expressions`` (evaluator), ``functions_*`` (the function library by area),
``hashes`` (uniqueString, guid), ``values`` (ARM value semantics),
``resource_ids``/``resource_identity``/``scopes`` (ids and scopes),
``json_evaluation`` (expression trees and copy loops), ``declarations``
(parameters, variables, user functions), ``dependencies`` (dependsOn),
``deployments`` (nested and linked templates) and ``template``.
"""
