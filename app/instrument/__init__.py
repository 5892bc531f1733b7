"""The instrument: questionnaire definitions (loaded from YAML) and the scoring engine.

Plain Python: nothing here needs Flask or a request.
"""
