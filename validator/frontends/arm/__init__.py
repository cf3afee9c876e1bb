"""The ARM template front-end: expression language and template evaluator.

Public interface: ``expressions.evaluate_arm_expression``,
``syntax.ExpressionError``, ``template.evaluate_template``,
``template.DeploymentContext``, ``template.TemplateResult``,
``template.EvaluatedResource`` and the ``PLACEHOLDER_*`` constants.
"""
