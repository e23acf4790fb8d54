"""Benchmark the O*NET exposure index: load time, query time, file size.

Run from the repository root::

    python bench/exposure.py [--runs 5]

Prints the catalog file size, the index load time (decompress + parse + build
the inverted index; median of ``--runs`` fresh loads) and the median time of
``ExposureIndex.prior`` over ~200 realistic process-step names (median over
runs of the per-run median), plus the spread of best similarities.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from redesign.impact.exposure import (
    DEFAULT_TASKS_PATH,
    WEAK_SIMILARITY,
    ExposureIndex,
)

STEP_NAMES: tuple[str, ...] = (
    # finance and accounting
    "Reconcile bank statements with the general ledger",
    "Post journal entries",
    "Prepare month-end close checklist",
    "Match invoices to purchase orders and goods receipts",
    "Approve vendor invoices for payment",
    "Run the weekly payment batch",
    "Chase overdue customer payments",
    "Send invoice to customer",
    "Calculate payroll",
    "Process expense reports",
    "Review expense claims against policy",
    "Prepare quarterly budget variance report",
    "Update the cash flow forecast",
    "Prepare monthly sales forecast",
    "Compile tax returns",
    "Calculate sales tax owed",
    "Audit accounts payable transactions",
    "Record fixed asset additions",
    "Prepare financial statements",
    "Book accruals and prepayments",
    "Issue credit notes for returns",
    "Set credit limits for new customers",
    "Collect payments from customers",
    "Allocate costs to departments",
    "Review loan applications",
    # HR and people
    "Screen job applications and shortlist candidates",
    "Interview job applicants",
    "Write job descriptions",
    "Post job openings on job boards",
    "Schedule interviews with hiring managers",
    "Check references of candidates",
    "Make job offers",
    "Onboard new hires",
    "Run new employee orientation",
    "Enroll employees in benefit plans",
    "Answer employee questions about benefits",
    "Update employee records in the HR system",
    "Track employee attendance and leave",
    "Conduct performance reviews",
    "Plan training programs for staff",
    "Investigate employee grievances",
    "Process employee terminations",
    "Conduct exit interviews",
    "Administer salary reviews",
    "Prepare headcount reports",
    # sales and marketing
    "Qualify inbound sales leads",
    "Update CRM with customer details",
    "Prepare sales proposals and quotes",
    "Negotiate contract terms with clients",
    "Demonstrate the product to prospects",
    "Follow up with prospects by email",
    "Forecast quarterly sales pipeline",
    "Write press release",
    "Plan marketing campaigns",
    "Write copy for the website",
    "Post updates on social media",
    "Analyze campaign performance",
    "Conduct market research surveys",
    "Design promotional brochures",
    "Organize trade show participation",
    "Set product prices",
    "Upsell existing customers",
    "Respond to requests for proposals",
    "Maintain the price list",
    "Train sales representatives",
    # customer service
    "Answer customer questions by phone",
    "Respond to customer emails",
    "Resolve customer complaints",
    "Process product returns and refunds",
    "Log support tickets",
    "Triage support tickets",
    "Escalate technical issues to engineering",
    "Update the FAQ page",
    "Survey customer satisfaction",
    "Process customer orders",
    "Check order status for customers",
    "Schedule service appointments",
    "Greet visitors at reception",
    "Take payments over the counter",
    "Handle warranty claims",
    # procurement and supply chain
    "Approve purchase orders",
    "Request quotes from suppliers",
    "Negotiate prices with suppliers",
    "Evaluate supplier performance",
    "Maintain the approved vendor list",
    "Place replenishment orders",
    "Forecast inventory needs",
    "Count inventory in the warehouse",
    "Receive deliveries at the dock",
    "Inspect incoming goods",
    "Pick and pack orders in warehouse",
    "Label and ship parcels",
    "Schedule outbound shipments",
    "Book freight with carriers",
    "Prepare customs documentation",
    "Track shipments in transit",
    "Drive delivery truck",
    "Load trucks with a forklift",
    "Plan delivery routes",
    "Manage returns to suppliers",
    # operations and manufacturing
    "Set up machines for production runs",
    "Operate the packaging line",
    "Monitor production output",
    "Inspect finished products for defects",
    "Perform preventive maintenance on equipment",
    "Repair the conveyor belt",
    "Calibrate measuring instruments",
    "Record quality control test results",
    "Investigate root cause of defects",
    "Schedule the production plan",
    "Order raw materials",
    "Clean and sanitize work areas",
    "Conduct safety inspections",
    "Report workplace accidents",
    "Train operators on new equipment",
    "Write standard operating procedures",
    "Weld metal parts",
    "Assemble components",
    "Dispose of hazardous waste",
    "Update maintenance logs",
    # IT
    "Reset user passwords",
    "Install software on laptops",
    "Troubleshoot network connectivity problems",
    "Back up the databases",
    "Monitor server performance",
    "Apply security patches",
    "Review access rights",
    "Write code for new features",
    "Test software releases",
    "Document system requirements",
    "Deploy application updates",
    "Respond to helpdesk tickets",
    "Set up accounts for new employees",
    "Analyze security logs for incidents",
    "Design the database schema",
    "Migrate data to the new system",
    "Write technical documentation",
    "Manage the project plan",
    "Estimate project costs",
    "Hold weekly status meetings",
    # legal and compliance
    "Review contract terms",
    "Draft non-disclosure agreements",
    "Check transactions for compliance with regulations",
    "Verify customer identity documents",
    "File regulatory reports",
    "Research case law",
    "Maintain the contract register",
    "Respond to audit requests",
    "Investigate fraud alerts",
    "Update privacy policy",
    # healthcare and admin
    "Schedule patient appointments",
    "Register new patients",
    "Verify insurance coverage",
    "Code medical diagnoses for billing",
    "Submit insurance claims",
    "Take patient vital signs",
    "Administer medication",
    "Update patient charts",
    "Order lab tests",
    "Explain treatment plans to patients",
    "Sterilize instruments",
    "Answer phones and take messages",
    "Book travel for executives",
    "Organize meetings and prepare minutes",
    "Sort and distribute incoming mail",
    "File documents",
    "Order office supplies",
    "Type letters and memos",
    "Maintain the filing system",
    "Transcribe dictation",
    # management and misc
    "Approve budget requests",
    "Set team goals",
    "Assign work to team members",
    "Coach employees",
    "Prepare board presentations",
    "Analyze operational KPIs",
    "Build the monthly dashboard",
    "Develop the annual strategy",
    "Coordinate with other departments",
    "Evaluate new business opportunities",
    "Translate documents",
    "Proofread reports",
    "Summarize meeting notes",
    "Enter data into spreadsheets",
    "Archive old records",
    "Cook meals for customers",
    "Serve food and beverages",
    "Clean guest rooms",
    "Repair plumbing leaks",
    "Mow lawns and trim hedges",
    "Teach a class",
    "Grade student assignments",
    "Counsel students on careers",
    "Guard the building entrance",
    "Patrol the premises",
)


def _median_load(runs: int) -> tuple[float, ExposureIndex]:
    times = []
    index: ExposureIndex | None = None
    for _ in range(runs):
        started = time.perf_counter()
        index = ExposureIndex.load()
        times.append(time.perf_counter() - started)
    assert index is not None
    return statistics.median(times), index


def _median_query(index: ExposureIndex, runs: int) -> tuple[float, float]:
    medians = []
    worst = 0.0
    for _ in range(runs):
        per_query = []
        for name in STEP_NAMES:
            started = time.perf_counter()
            index.prior(name)
            per_query.append(time.perf_counter() - started)
        medians.append(statistics.median(per_query))
        worst = max(worst, max(per_query))
    return statistics.median(medians), worst


def run(runs: int = 5) -> list[dict[str, object]]:
    """Rows for `python -m bench` (figure, value, target, met): the figures main() prints."""
    load_s, index = _median_load(runs)
    query_s, worst_s = _median_query(index, runs)
    return [
        {"figure": "O*NET exposure index load", "value": f"{load_s * 1000:.0f} ms", "target": "", "met": None},
        {
            "figure": "O*NET exposure query (prior, k=5)",
            "value": f"{query_s * 1000:.2f} ms median, {worst_s * 1000:.2f} ms worst",
            "target": "",
            "met": None,
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    size = DEFAULT_TASKS_PATH.stat().st_size
    load_s, index = _median_load(args.runs)
    query_s, worst_s = _median_query(index, args.runs)
    priors = [index.prior(name) for name in STEP_NAMES]
    best = sorted(p.matches[0].similarity if p.matches else 0.0 for p in priors)
    weak = sum(1 for b in best if b < WEAK_SIMILARITY)
    labels = {lab: sum(1 for p in priors if p.label == lab) for lab in ("E0", "E1", "E2")}

    print(f"catalog file        {DEFAULT_TASKS_PATH.name}: {size:,} bytes ({size / 2**20:.2f} MiB)")
    print(f"tasks indexed       {index.task_count:,} O*NET tasks")
    print(f"index load          {load_s * 1000:.0f} ms (median of {args.runs})")
    print(
        f"query (prior, k=5)  {query_s * 1000:.2f} ms median, {worst_s * 1000:.2f} ms worst, "
        f"over {len(STEP_NAMES)} step names x {args.runs} runs"
    )
    print(
        f"best similarity     median {statistics.median(best):.2f}, "
        f"p10 {best[len(best) // 10]:.2f}; {weak} of {len(best)} below the weak threshold {WEAK_SIMILARITY}"
    )
    print(f"human-label priors  {labels}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
