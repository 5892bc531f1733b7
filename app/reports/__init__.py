"""The readiness report: a bilingual, branded PDF of an assessment, its HTML preview, the
organisation's report branding, owners and due dates for the action plan, and the
``flask reports render`` command. The blueprint is ``app.reports.routes.bp``."""
