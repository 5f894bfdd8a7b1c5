"""Built-in word lists the sandbox org is made from: names, places, groups, projects.

Every address is reserved for documentation: e-mail domains are ``example.com`` /
``example.org`` and IPs come from 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and
2001:db8::/32. Places are real cities so location filters read naturally.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    """A place people log in from; ``net`` is the documentation /24 its addresses come from."""

    name: str
    region: str
    country: str
    tz: str
    net: str
    weight: float = 1.0


HOME_CITIES: tuple[City, ...] = (
    City("Austin", "Texas", "United States", "America/Chicago", "192.0.2", 20),
    City("New York", "New York", "United States", "America/New_York", "192.0.2", 15),
    City("San Francisco", "California", "United States", "America/Los_Angeles", "192.0.2", 14),
    City("London", "England", "United Kingdom", "Europe/London", "198.51.100", 15),
    City("Berlin", "Land Berlin", "Germany", "Europe/Berlin", "198.51.100", 12),
    City("Sydney", "New South Wales", "Australia", "Australia/Sydney", "203.0.113", 12),
    City("Bengaluru", "Karnataka", "India", "Asia/Kolkata", "203.0.113", 12),
)
"""Where the org's people live and work (weights are head-count shares)."""

UNUSUAL_CITIES: tuple[City, ...] = (
    City("Bucharest", "Bucuresti", "Romania", "Europe/Bucharest", "198.51.100"),
    City("Hanoi", "Ha Noi", "Vietnam", "Asia/Bangkok", "203.0.113"),
    City("Lima", "Lima", "Peru", "America/Lima", "192.0.2"),
)
"""Countries nobody in the org normally logs in from; only incidents use them."""

UNUSUAL_HOST_MIN = 200
"""Host numbers ``.200``-``.254`` of each documentation /24 are reserved for incidents."""

FIRST_NAMES: tuple[str, ...] = (
    "Aarav", "Abigail", "Adam", "Adebayo", "Aisha", "Akira", "Alejandro", "Alice", "Amara", "Amelia",
    "Ana", "Andrea", "Andrew", "Anika", "Anna", "Arjun", "Ava", "Ben", "Bianca", "Camila",
    "Carlos", "Charlotte", "Chen", "Chloe", "Daniel", "David", "Diego", "Elena", "Eli", "Emma",
    "Ethan", "Farah", "Felix", "Fatima", "Finn", "Gabriel", "Grace", "Hannah", "Hana", "Harper",
    "Hiro", "Ines", "Isaac", "Isabella", "Ivan", "Jack", "James", "Jana", "Javier", "Jin",
    "Jonas", "Julia", "Kai", "Karina", "Kavya", "Kenji", "Laila", "Lars", "Laura", "Leo",
    "Liam", "Lina", "Lucas", "Lucia", "Maya", "Mateo", "Mei", "Mia", "Miguel", "Mila",
    "Mohammed", "Nadia", "Naomi", "Nathan", "Nikhil", "Nina", "Noah", "Nora", "Oliver", "Olivia",
    "Omar", "Oscar", "Priya", "Rafael", "Rahul", "Rania", "Riya", "Rosa", "Ruby", "Sam",
    "Samuel", "Sara", "Sebastian", "Sofia", "Sophie", "Stefan", "Tariq", "Theo", "Tomas", "Uma",
    "Valentina", "Victor", "Wei", "William", "Xin", "Yara", "Yusuf", "Zara", "Zoe", "Zain",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Abbott", "Adeyemi", "Agarwal", "Ahmed", "Alvarez", "Andersen", "Bailey", "Baker", "Becker", "Bennett",
    "Brooks", "Brown", "Campbell", "Castro", "Chen", "Clarke", "Cohen", "Cruz", "Das", "Davies",
    "Diaz", "Dubois", "Edwards", "Evans", "Fischer", "Fernandes", "Foster", "Garcia", "Gomez", "Gonzalez",
    "Green", "Gupta", "Hall", "Hansen", "Harris", "Hayes", "Hernandez", "Hoffmann", "Hughes", "Ito",
    "Iyer", "Jackson", "Jensen", "Johnson", "Jones", "Kapoor", "Kaur", "Kelly", "Khan", "Kim",
    "Klein", "Kowalski", "Kumar", "Larsen", "Lee", "Lopez", "Martin", "Martinez", "Mehta", "Meyer",
    "Mitchell", "Moore", "Morales", "Morris", "Murphy", "Nakamura", "Nguyen", "Novak", "Nunez", "Okafor",
    "O'Brien", "Ortiz", "Patel", "Perez", "Petrov", "Phillips", "Ramirez", "Rao", "Reddy", "Reyes",
    "Richter", "Rivera", "Roberts", "Robinson", "Rossi", "Sanchez", "Sato", "Schmidt", "Schneider", "Shah",
    "Silva", "Singh", "Smith", "Sokolov", "Suzuki", "Tanaka", "Taylor", "Thomas", "Thompson", "Torres",
    "Turner", "Walker", "Wang", "Watanabe", "Weber", "White", "Williams", "Wilson", "Wright", "Yamamoto",
    "Young", "Zhang", "Zimmermann",
)  # fmt: skip

ORG_NAMES: tuple[str, ...] = (
    "Bluebird Systems", "Harbor Analytics", "Pinecrest Software", "Lumen Works",
    "Cobalt Ridge", "Northgate Labs", "Silverline Health", "Tidewater Logistics",
)  # fmt: skip

GROUP_NAMES: tuple[str, ...] = (
    "jira-software-users", "confluence-users", "jira-servicemanagement-users", "jira-admins",
    "confluence-admins", "site-admins", "org-admins", "bitbucket-users", "loom-users", "engineering",
    "platform-team", "mobile-team", "frontend", "backend", "data-science", "analytics", "security",
    "sre", "devops", "qa", "release-managers", "it-helpdesk", "finance", "people-ops", "hr-confidential",
    "legal", "procurement", "marketing", "sales", "customer-success", "support-tier1", "support-tier2",
    "design", "product-managers", "docs-writers", "executives", "contractors", "interns", "partners",
    "oncall",
)  # fmt: skip

JIRA_PROJECTS: tuple[str, ...] = ("WEB", "OPS", "MOB", "DATA", "SEC", "IT", "PAY", "HR", "SUP", "PLAT")

CONFLUENCE_SPACES: tuple[tuple[str, str], ...] = (
    ("ENG", "Engineering"), ("HR", "People Team"), ("SALES", "Sales Playbooks"), ("DOCS", "Product Docs"),
    ("SEC", "Security"), ("IT", "IT Helpdesk"), ("MKT", "Marketing"), ("ONB", "Onboarding"),
)  # fmt: skip

MARKETPLACE_APPS: tuple[tuple[str, str], ...] = (
    ("Timesheet Tracker", "Example Vendor Inc"),
    ("Diagram Studio", "Example Diagrams Ltd"),
    ("Release Notes Builder", "Example Tools GmbH"),
    ("Test Case Manager", "Example QA Pty"),
)

API_TOKEN_LABELS: tuple[str, ...] = ("siem-export", "ci-pipeline", "user-provisioning", "license-report")

SERVICE_ACCOUNT_NAME = "Provisioning Service"
