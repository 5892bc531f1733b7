"""Demo data, apart from the product: accounts and organisations, assessments with their
answers and action plans, peers that share their results in the benchmarks, a consultant's
own questionnaire in the library, and customer trackers with their histories
(``flask demo``). The tracker's bulk writer also fills the benchmark's fifty thousand
customers."""

from app.demo.accounts import DEMO_PASSWORD, DemoPerson, load_demo_data
from app.demo.assessments import load_demo_assessments
from app.demo.benchmarks import load_demo_consents
from app.demo.library import load_demo_library
from app.demo.tracker import load_demo_tracker

__all__ = [
    "DEMO_PASSWORD",
    "DemoPerson",
    "load_demo_assessments",
    "load_demo_consents",
    "load_demo_data",
    "load_demo_library",
    "load_demo_tracker",
]
