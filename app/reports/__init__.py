"""The readiness report: a bilingual, branded PDF of an assessment, its HTML preview, the
report branding of organisations and of consultants' workspaces, owners and due dates for
the action plan, and the ``flask reports render`` command. The blueprint is
``app.reports.routes.bp``."""
