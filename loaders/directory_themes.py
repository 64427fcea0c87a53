"""Themes of a directory service that carries no taxonomy: a documented mapping from its words.

Open Referral UK directories tag services with taxonomy terms, and the loader uses those. Some
directories (the Hounslow Connect upload workbook) carry none, only a name, a description and an
age-group criterion. So that their services count as providers of a theme (question 12), each
service is given the themes whose words appear in its name or description, or whose age range its
age-group criterion falls in. The rules are a plain table, :data:`THEME_WORDS`, named after the
needs in the brief and the workshop workbook; a theme from here is an inference from words, and
the service-gap answer says so.
"""

from __future__ import annotations

import re

#: Theme -> words or phrases (whole, case-insensitive, a plural "s" allowed) that give a service that theme.
THEME_WORDS: dict[str, tuple[str, ...]] = {
    "young people": ("youth", "young people", "young person", "teen", "teenager", "scout", "girlguiding", "brownies",
                     "cadet", "junior", "children", "child", "kids", "school", "student"),
    "older people": ("older people", "older adults", "elderly", "over 50", "over 55", "over 60", "over 65", "seniors",
                     "pensioner", "retired", "dementia", "age uk"),
    "disability": ("disability", "disabilities", "disabled", "autism", "autistic", "learning difficulties", "deaf",
                   "blind", "sight loss", "visually impaired", "wheelchair", "special needs"),
    "mental health": ("mental health", "counselling", "depression", "anxiety", "wellbeing", "bereavement"),
    "health": ("health", "nhs", "cancer", "diabetes", "stroke", "hospital", "hospice", "nutrition"),
    "carers": ("carer", "caring for"),
    "employment and skills": ("employment", "employability", "job", "career", "apprenticeship", "skills",
                              "training", "volunteering"),
    "advice": ("advice", "advocacy", "benefits", "debt", "legal", "citizens advice", "welfare rights"),
    "food": ("food bank", "foodbank", "food", "meals", "lunch club", "pantry"),
    "sport and physical activity": ("sport", "football", "cricket", "badminton", "tennis", "swimming",
                                    "fitness", "dance", "martial", "rugby", "athletics", "walking", "yoga", "boxing"),
    "arts and culture": ("art", "music", "choir", "theatre", "drama", "museum", "heritage", "library"),
    "faith": ("church", "mosque", "gurdwara", "temple", "synagogue", "faith", "parish"),
    "housing and homelessness": ("housing", "homeless", "homelessness", "rough sleeping", "shelter", "tenants"),
    "domestic abuse": ("domestic abuse", "domestic violence", "refuge"),
    "residents associations": ("residents association", "residents' association", "residents group"),
    "environment": ("environment", "environmental", "gardening", "allotment", "nature", "conservation", "recycling"),
}
#: An age-group criterion whose upper age is at most this gives "young people"; lower age at least
#: :data:`OLDER_FROM` gives "older people".
YOUNG_UP_TO = 25
OLDER_FROM = 50

_PATTERNS = {theme: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")s?\b", re.IGNORECASE)
             for theme, words in THEME_WORDS.items()}


def service_themes(name: str, description: str = "", age_group: str = "") -> list[str]:
    """The themes a service addresses, from its words and its age-group criterion.

    Examples
    --------
    >>> service_themes("3rd Chiswick Scout Group", "Founded in 1909", "6 years - 14 years")
    ['young people']
    >>> service_themes("Lunch club for older people", "")
    ['older people', 'food']
    >>> service_themes("Hounslow Community Network", "")
    []
    """
    text = f"{name or ''} {description or ''}"
    found = [theme for theme, pattern in _PATTERNS.items() if pattern.search(text)]
    ages = [int(n) for n in re.findall(r"\d+", age_group or "")]
    if ages and max(ages) <= YOUNG_UP_TO and "young people" not in found and "+" not in age_group:
        found.append("young people")
    if ages and min(ages) >= OLDER_FROM and "older people" not in found:
        found.append("older people")
    return found
