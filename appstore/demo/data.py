"""The demo catalogue's data: the apps, who owns and sees them, which are required,
featured, installed and rated, and where each app's versions stop in review."""

from appstore.choices import Category, Platform

C = Category
# name, summary, category, owning department, audience ("all", "own", a department code,
# or a work pattern), personal data?
APPS = [
    (
        "Vanninspeksjon",
        "Work orders and photos from water main inspections",
        C.TECHNICAL,
        "water-sewerage",
        "own",
        False,
    ),
    (
        "Water meter reading",
        "Read and report water meters on site",
        C.TECHNICAL,
        "water-sewerage",
        "own",
        True,
    ),
    (
        "Sewer camera log",
        "Log pipe camera inspections with findings",
        C.TECHNICAL,
        "water-sewerage",
        "technical",
        False,
    ),
    ("Leak alert", "Report and follow up water leaks", C.TECHNICAL, "water-sewerage", "all", False),
    (
        "Hydrant check",
        "Yearly hydrant inspection checklist",
        C.TECHNICAL,
        "water-sewerage",
        "technical",
        False,
    ),
    (
        "Home nursing visit log",
        "Record visits, tasks and observations",
        C.HEALTH_CARE,
        "home-nursing",
        "home-nursing",
        True,
    ),
    (
        "Medication round",
        "Medication lists and sign-off on rounds",
        C.HEALTH_CARE,
        "home-nursing",
        "home-nursing",
        True,
    ),
    (
        "Wound care photos",
        "Secure wound photos for the patient record",
        C.HEALTH_CARE,
        "home-nursing",
        "health-care",
        True,
    ),
    (
        "Route planner",
        "Today's visits in the best order",
        C.HEALTH_CARE,
        "home-nursing",
        "frontline",
        True,
    ),
    (
        "Key box register",
        "Who holds which key box code",
        C.SECURITY,
        "home-nursing",
        "home-nursing",
        True,
    ),
    (
        "Fall alarm response",
        "Answer and close fall alarms",
        C.HEALTH_CARE,
        "elder-care",
        "health-care",
        True,
    ),
    (
        "Resident menu",
        "Menus and allergies at the nursing home",
        C.HEALTH_CARE,
        "elder-care",
        "elder-care",
        True,
    ),
    (
        "Activity calendar",
        "Activities for residents and relatives",
        C.COMMUNICATION,
        "elder-care",
        "elder-care",
        False,
    ),
    ("Shift swap", "Swap shifts with colleagues", C.ADMINISTRATION, "hr", "frontline", True),
    ("Payslip", "Your payslips and tax deductions", C.ADMINISTRATION, "hr", "all", True),
    ("Absence report", "Report sickness and a sick child", C.ADMINISTRATION, "hr", "all", True),
    ("Travel expenses", "Claim mileage and travel costs", C.ADMINISTRATION, "finance", "all", True),
    (
        "Purchase approval",
        "Approve invoices and purchase orders",
        C.ADMINISTRATION,
        "finance",
        "administration",
        False,
    ),
    (
        "School attendance",
        "Register pupils' attendance per lesson",
        C.EDUCATION,
        "education",
        "education",
        True,
    ),
    (
        "Parent messages",
        "Secure messages between school and parents",
        C.COMMUNICATION,
        "education",
        "education",
        True,
    ),
    (
        "Substitute teacher",
        "Find and book substitute teachers",
        C.EDUCATION,
        "education",
        "education",
        True,
    ),
    (
        "School trip planner",
        "Plan trips, consents and lists",
        C.EDUCATION,
        "education",
        "education",
        True,
    ),
    (
        "Cemetery site inspection",
        "Inspect graves, paths and memorials",
        C.TECHNICAL,
        "roads-parks",
        "roads-parks",
        False,
    ),
    (
        "Winter road service",
        "Ploughing and gritting routes",
        C.TECHNICAL,
        "roads-parks",
        "technical",
        False,
    ),
    (
        "Playground safety",
        "Monthly playground safety checks",
        C.TECHNICAL,
        "roads-parks",
        "technical",
        False,
    ),
    (
        "Street light faults",
        "Report and fix street light faults",
        C.TECHNICAL,
        "roads-parks",
        "all",
        False,
    ),
    (
        "Secure chat",
        "The municipality's approved chat for work",
        C.COMMUNICATION,
        "it",
        "all",
        True,
    ),
    ("Authenticator", "Sign-in codes for your work account", C.SECURITY, "it", "all", False),
    ("Intranet news", "News from the municipality", C.COMMUNICATION, "it", "all", False),
    (
        "IT service desk",
        "Report IT problems and follow your cases",
        C.PRODUCTIVITY,
        "it",
        "all",
        True,
    ),
    ("Meeting room booking", "Book rooms and equipment", C.PRODUCTIVITY, "it", "all", False),
    ("Document scanner", "Scan paper to the archive", C.PRODUCTIVITY, "it", "all", False),
    ("Phone directory", "Find colleagues and departments", C.COMMUNICATION, "it", "all", True),
    ("Incident report", "Report HSE incidents and near misses", C.SECURITY, "hr", "all", True),
    (
        "Lone worker alarm",
        "Safety alarm for those who work alone",
        C.SECURITY,
        "hr",
        "frontline",
        True,
    ),
    (
        "Translation help",
        "Book interpreters and quick translations",
        C.COMMUNICATION,
        "health-care",
        "all",
        False,
    ),
    (
        "Infection control",
        "Routines and checklists for infection control",
        C.HEALTH_CARE,
        "health-care",
        "health-care",
        False,
    ),
    ("Digital timesheet", "Register hours and overtime", C.ADMINISTRATION, "hr", "all", True),
    (
        "Vehicle logbook",
        "Log trips in the municipality's cars",
        C.ADMINISTRATION,
        "finance",
        "frontline",
        False,
    ),
    (
        "Energy monitor",
        "Energy use in municipal buildings",
        C.TECHNICAL,
        "technical",
        "technical",
        False,
    ),
]
REQUIRED = {"Secure chat", "Authenticator", "Home nursing visit log", "Absence report"}
FEATURED = {"Vanninspeksjon", "Home nursing visit log", "Secure chat", "Route planner"}
# The app whose Android build is an uploaded package instead of an MDM entry.
PACKAGE_APP = "Sewer camera log"
# The demo employee installs 1.0.0 of this app, then 1.1.0 is published: an update waits.
UPDATE_APP = "Payslip"
# A published app of the appowner's department whose new summary waits for review.
LISTING_CHANGE_APP = "Leak alert"
INSTALLED_BY_EMPLOYEE = [
    "Secure chat",
    "Authenticator",
    "Home nursing visit log",
    "Intranet news",
    "Route planner",
]
# username, app, stars, comment
RATINGS = [
    ("employee", "Secure chat", 5, "Works well on the go."),
    ("employee", "Home nursing visit log", 4, "Saves me time after every visit."),
    ("manager", "Secure chat", 4, ""),
    ("manager", "Authenticator", 3, "Asks for a code a bit too often."),
    ("reviewer", "Intranet news", 4, ""),
    ("appowner", "Secure chat", 5, ""),
]
CATEGORY_COLOURS = {
    C.HEALTH_CARE: (196, 52, 84),
    C.EDUCATION: (230, 140, 20),
    C.TECHNICAL: (20, 110, 160),
    C.COMMUNICATION: (60, 140, 70),
    C.ADMINISTRATION: (110, 80, 160),
    C.SECURITY: (50, 60, 70),
    C.PRODUCTIVITY: (0, 130, 130),
}
# Where the lifecycle of each n-th app stops, so the demo shows every state.
NOT_PUBLISHED = ["draft", "submitted", "in_review", "changes_requested", "rejected"]
STOPS = ["published"] * 2 + NOT_PUBLISHED
# The platforms of each n-th app (its versions are built for the same ones).
PLATFORM_SETS = [
    (Platform.ANDROID, Platform.IOS),
    (Platform.WEB,),
    (Platform.ANDROID, Platform.IOS, Platform.WINDOWS),
    (Platform.IOS,),
]
