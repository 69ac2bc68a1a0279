"""The synthetic population, declared as data: who lives in the city and what happens to them.

A diverse, deprived English city (the shape of Leicester's, not its figures): large South Asian,
Black African and White British populations and a long tail, most families in the most deprived
IMD quintiles. Rates are set near national levels; the relative risks plant the inequalities the
product must find. Change a number here to change the population; the generator has no figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

# IMD quintile 1 is the most deprived; every per-quintile tuple below is ordered 1..5.
QUINTILES = (1, 2, 3, 4, 5)

# Share of the city's LSOAs in each IMD decile (1 = most deprived): about 70% in deciles 1–4.
LSOA_DECILE_SHARE = (0.24, 0.18, 0.15, 0.12, 0.08, 0.07, 0.06, 0.04, 0.03, 0.03)
LSOA_COUNT = 240
POSTCODES_PER_LSOA = 8
GP_PRACTICE_COUNT = 45
OUT_OF_AREA_SHARE = 0.006  # mothers whose postcode is not in the city's lookup
# NHS pseudo postcodes: ZZ99 3VZ is "no fixed abode"; never in a postcode lookup.
PSEUDO_POSTCODES = {"ZZ99 3VZ": 0.001}

DELIVERY_SITES = {"ZZ101": 0.7, "ZZ102": 0.3}  # a level-3 unit and a smaller site
NEONATAL_UNIT_OF_SITE = {"ZZ101": "ZZ101-NICU", "ZZ102": "ZZ102-LNU"}
TWIN_SHARE = 0.015


@dataclass(frozen=True)
class GroupProfile:
    """What differs between ethnic categories: population share, where families live, languages
    spoken, and relative risks (1.0 = the city's baseline)."""

    share: float
    deprivation_affinity: tuple[float, float, float, float, float]
    languages: dict[str, float] = field(default_factory=lambda: {"en": 1.0})
    age_mean: float = 29.5
    parity_mean: float = 1.0
    bmi_median: float = 26.0
    smoking_current: float = 0.04
    preterm_rr: float = 1.0
    birth_weight_factor: float = 1.0
    stillbirth_rr: float = 1.0
    oasi_rr: float = 1.0
    emergency_caesarean_rr: float = 1.0
    breast_milk_first_feed: float = 0.75
    breastfeeding_6_8_weeks: float = 0.55
    breast_milk_nnu_discharge: float = 0.6
    pmh_referral: float = 0.06


_WHITE_OTHER_LANGUAGES = {"en": 0.3, "pl": 0.3, "ro": 0.22, "lt": 0.08, "bg": 0.06, "pt": 0.04}

ETHNIC_PROFILES: dict[str, GroupProfile] = {
    "A": GroupProfile(
        0.324,
        (0.7, 0.85, 1.1, 1.5, 2.0),
        age_mean=28.5,
        parity_mean=0.9,
        bmi_median=26.8,
        smoking_current=0.17,
        breast_milk_first_feed=0.66,
        breastfeeding_6_8_weeks=0.48,
        breast_milk_nnu_discharge=0.55,
        pmh_referral=0.085,
    ),
    "B": GroupProfile(0.005, (1.0, 1.0, 1.0, 1.1, 1.2), smoking_current=0.1, pmh_referral=0.08),
    "C": GroupProfile(
        0.08,
        (1.2, 1.2, 1.0, 0.8, 0.6),
        _WHITE_OTHER_LANGUAGES,
        age_mean=28.8,
        smoking_current=0.13,
        breast_milk_first_feed=0.84,
        breastfeeding_6_8_weeks=0.66,
        pmh_referral=0.045,
    ),
    "D": GroupProfile(
        0.01,
        (1.2, 1.1, 1.0, 0.9, 0.8),
        age_mean=26.5,
        smoking_current=0.14,
        preterm_rr=1.15,
        birth_weight_factor=0.98,
        pmh_referral=0.07,
    ),
    "E": GroupProfile(
        0.008, (1.2, 1.1, 1.0, 0.9, 0.8), smoking_current=0.06, preterm_rr=1.15, pmh_referral=0.06
    ),
    "F": GroupProfile(0.008, (1.0, 1.0, 1.0, 1.0, 1.0), smoking_current=0.06, pmh_referral=0.06),
    "G": GroupProfile(
        0.01, (1.1, 1.1, 1.0, 0.9, 0.9), smoking_current=0.08, preterm_rr=1.1, pmh_referral=0.06
    ),
    "H": GroupProfile(
        0.22,
        (0.9, 1.1, 1.2, 1.0, 0.9),
        {"en": 0.52, "gu": 0.33, "pa": 0.12, "hi": 0.03},
        age_mean=30.0,
        parity_mean=0.9,
        bmi_median=25.0,
        smoking_current=0.01,
        preterm_rr=1.25,
        birth_weight_factor=0.92,
        stillbirth_rr=1.5,
        oasi_rr=1.8,
        breast_milk_first_feed=0.76,
        breastfeeding_6_8_weeks=0.58,
        pmh_referral=0.038,
    ),
    "J": GroupProfile(
        0.04,
        (1.5, 1.2, 0.8, 0.5, 0.3),
        {"en": 0.5, "ur": 0.32, "pa": 0.18},
        age_mean=29.0,
        parity_mean=1.7,
        bmi_median=26.5,
        smoking_current=0.015,
        preterm_rr=1.3,
        birth_weight_factor=0.92,
        stillbirth_rr=1.8,
        oasi_rr=1.8,
        breast_milk_first_feed=0.78,
        breastfeeding_6_8_weeks=0.6,
        pmh_referral=0.035,
    ),
    "K": GroupProfile(
        0.015,
        (1.5, 1.2, 0.8, 0.5, 0.3),
        {"en": 0.55, "bn": 0.45},
        age_mean=28.5,
        parity_mean=1.6,
        bmi_median=25.0,
        smoking_current=0.02,
        preterm_rr=1.3,
        birth_weight_factor=0.91,
        stillbirth_rr=1.7,
        oasi_rr=1.8,
        breast_milk_first_feed=0.8,
        breastfeeding_6_8_weeks=0.62,
        pmh_referral=0.032,
    ),
    "L": GroupProfile(
        0.05,
        (1.1, 1.1, 1.0, 0.9, 0.8),
        {"en": 0.55, "ta": 0.15, "ur": 0.1, "ps": 0.1, "fa": 0.1},
        age_mean=30.0,
        bmi_median=25.0,
        smoking_current=0.02,
        preterm_rr=1.25,
        birth_weight_factor=0.93,
        stillbirth_rr=1.5,
        oasi_rr=1.8,
        breast_milk_first_feed=0.8,
        breastfeeding_6_8_weeks=0.62,
        pmh_referral=0.035,
    ),
    "M": GroupProfile(
        0.012,
        (1.5, 1.2, 0.8, 0.5, 0.4),
        age_mean=29.0,
        bmi_median=28.0,
        smoking_current=0.06,
        preterm_rr=1.45,
        birth_weight_factor=0.96,
        stillbirth_rr=2.0,
        emergency_caesarean_rr=1.3,
        breast_milk_first_feed=0.8,
        pmh_referral=0.05,
    ),
    "N": GroupProfile(
        0.10,
        (1.5, 1.2, 0.8, 0.5, 0.4),
        {"en": 0.55, "so": 0.3, "fr": 0.05, "ti": 0.05, "ar": 0.05},
        age_mean=31.0,
        parity_mean=1.5,
        bmi_median=28.5,
        smoking_current=0.02,
        preterm_rr=1.45,
        birth_weight_factor=0.96,
        stillbirth_rr=2.1,
        emergency_caesarean_rr=1.35,
        breast_milk_first_feed=0.9,
        breastfeeding_6_8_weeks=0.78,
        breast_milk_nnu_discharge=0.75,
        pmh_referral=0.033,
    ),
    "P": GroupProfile(
        0.02,
        (1.5, 1.2, 0.8, 0.5, 0.4),
        {"en": 0.8, "so": 0.1, "fr": 0.1},
        age_mean=30.0,
        bmi_median=28.0,
        smoking_current=0.04,
        preterm_rr=1.45,
        birth_weight_factor=0.96,
        stillbirth_rr=2.0,
        emergency_caesarean_rr=1.3,
        breast_milk_first_feed=0.86,
        breastfeeding_6_8_weeks=0.7,
        pmh_referral=0.04,
    ),
    "R": GroupProfile(
        0.008,
        (1.0, 1.0, 1.0, 1.0, 1.0),
        {"en": 0.6, "zh": 0.4},
        age_mean=31.0,
        bmi_median=23.0,
        smoking_current=0.01,
        birth_weight_factor=0.95,
        pmh_referral=0.03,
    ),
    "S": GroupProfile(
        0.04,
        (1.2, 1.1, 1.0, 0.8, 0.7),
        {"en": 0.45, "ar": 0.35, "ku": 0.1, "fa": 0.1},
        age_mean=29.5,
        parity_mean=1.4,
        smoking_current=0.03,
        preterm_rr=1.15,
        birth_weight_factor=0.96,
        stillbirth_rr=1.4,
        breast_milk_first_feed=0.84,
        breastfeeding_6_8_weeks=0.65,
        pmh_referral=0.035,
    ),
    "Z": GroupProfile(
        0.03,
        (1.0, 1.0, 1.0, 1.0, 1.0),
        {"en": 0.8, "pl": 0.05, "ur": 0.05, "gu": 0.05, "ar": 0.05},
        smoking_current=0.08,
        preterm_rr=1.1,
    ),
    "99": GroupProfile(
        0.02,
        (1.0, 1.0, 1.0, 1.0, 1.0),
        {"en": 0.85, "ro": 0.05, "so": 0.05, "pa": 0.05},
        smoking_current=0.08,
        preterm_rr=1.1,
    ),
}


@dataclass(frozen=True)
class DeprivationProfile:
    """Multipliers by IMD quintile (1 = most deprived): the social gradient."""

    age_shift_years: tuple[float, ...] = (-1.5, -0.8, 0.0, 0.8, 1.5)
    bmi_factor: tuple[float, ...] = (1.035, 1.02, 1.0, 0.985, 0.97)
    smoking_rr: tuple[float, ...] = (1.6, 1.3, 1.0, 0.7, 0.45)
    late_booking_rr: tuple[float, ...] = (1.4, 1.2, 1.0, 0.85, 0.7)
    preterm_rr: tuple[float, ...] = (1.25, 1.1, 1.0, 0.9, 0.8)
    birth_weight_factor: tuple[float, ...] = (0.975, 0.985, 1.0, 1.005, 1.01)
    stillbirth_rr: tuple[float, ...] = (1.3, 1.15, 1.0, 0.9, 0.8)
    breast_milk_first_feed: tuple[float, ...] = (0.9, 0.95, 1.0, 1.05, 1.08)
    breastfeeding_6_8_weeks: tuple[float, ...] = (0.78, 0.88, 0.97, 1.08, 1.2)
    pmh_referral_rr: tuple[float, ...] = (1.25, 1.1, 1.0, 0.9, 0.85)
    mood_screen_positive_rr: tuple[float, ...] = (1.4, 1.2, 1.0, 0.85, 0.75)


DEPRIVATION = DeprivationProfile()


@dataclass(frozen=True)
class ClinicalRates:
    """Baseline probabilities before relative risks; chosen to land near national rates."""

    preterm: float = 0.067
    preterm_twin: float = 0.5
    # Preterm births by gestation band (days): most are late preterm.
    preterm_bands: tuple[tuple[int, int, float], ...] = (
        (224, 258, 0.75),
        (196, 223, 0.17),
        (154, 195, 0.08),
    )
    term_gestation_mean_days: float = 278.0
    term_gestation_sd_days: float = 8.0
    stillbirth_term: float = 0.0008
    stillbirth_preterm: float = 0.018
    stillbirth_antepartum_share: float = 0.85
    late_booking: float = 0.08
    late_booking_non_english_rr: float = 2.2
    # (nulliparous, parous) multipliers: a first birth is longer and more often assisted.
    parity_rr: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {
            "emergency_caesarean": (1.5, 0.8),
            "forceps": (1.8, 0.5),
            "ventouse": (1.6, 0.6),
            "oasi": (1.6, 0.65),
        }
    )
    bmi_log_sd: float = 0.19
    smoking_ex: float = 0.12
    smoking_persistence: float = 0.7  # smokers at booking still smoking at delivery
    breech: float = 0.035
    caesarean_before_labour: float = 0.12
    caesarean_before_labour_breech: float = 0.85
    caesarean_before_labour_twins: float = 0.45
    induced: float = 0.34
    emergency_caesarean: float = 0.15
    forceps: float = 0.055
    ventouse: float = 0.065
    oasi: float = 0.017
    oasi_grade_shares: dict[str, float] = field(
        default_factory=lambda: {
            "third_degree_3a": 0.5,
            "third_degree_3b": 0.3,
            "third_degree_3c": 0.12,
            "fourth_degree": 0.08,
        }
    )
    other_trauma_shares: dict[str, float] = field(
        default_factory=lambda: {
            "intact": 0.12,
            "first_degree": 0.22,
            "second_degree": 0.44,
            "episiotomy_only": 0.22,
        }
    )
    blood_loss_median_ml: dict[str, float] = field(
        default_factory=lambda: {
            "spontaneous_vaginal": 300.0,
            "forceps": 450.0,
            "ventouse": 420.0,
            "breech_vaginal": 400.0,
            "elective_caesarean": 550.0,
            "emergency_caesarean": 750.0,
        }
    )
    blood_loss_log_sd: float = 0.55
    apgar_low_term: float = 0.009
    birth_weight_scale: float = 0.97  # Hadlock's fetal medians run above UK birth weights
    birth_weight_log_sd: float = 0.12
    pmh_referral_sources: dict[str, float] = field(
        default_factory=lambda: {
            "midwife": 0.5,
            "gp": 0.25,
            "obstetrician": 0.1,
            "self": 0.06,
            "other": 0.05,
            "health_visitor": 0.04,
        }
    )


@dataclass(frozen=True)
class NeonatalRates:
    """Who is admitted to the neonatal unit, for how long, and what happens there."""

    admission_by_gestation: tuple[tuple[int, float], ...] = (
        (224, 1.0),
        (245, 0.85),
        (259, 0.3),
        (400, 0.042),
    )  # (below this many days, p)
    term_low_apgar_admission: float = 0.7
    term_low_weight_admission: float = 0.3
    hie_moderate_severe_low_apgar: float = 0.3
    hie_moderate_severe: float = 0.006
    hie_mild_low_apgar: float = 0.15
    hie_mild: float = 0.02
    severe_share_of_moderate_severe: float = 0.3
    death_by_gestation: tuple[tuple[int, float], ...] = (
        (196, 0.18),
        (224, 0.04),
        (259, 0.006),
        (400, 0.002),
    )
    death_severe_hie: float = 0.25
    exclusive_share_of_breast_milk: float = 0.45
    discharge_transfer: float = 0.07
    discharge_foster_care: float = 0.01
    admission_reasons_term: dict[str, float] = field(
        default_factory=lambda: {
            "respiratory_distress": 0.3,
            "suspected_sepsis": 0.2,
            "hypoglycaemia": 0.15,
            "jaundice": 0.12,
            "poor_feeding": 0.1,
            "other": 0.13,
        }
    )


@dataclass(frozen=True)
class HealthVisitingRates:
    """Coverage and timing of the health-visiting contacts (days after birth)."""

    coverage: dict[str, float] = field(
        default_factory=lambda: {
            "antenatal": 0.75,
            "new_birth_visit": 0.96,
            "six_to_eight_week_review": 0.88,
            "one_year_review": 0.75,
        }
    )
    timing_days: dict[str, tuple[int, int]] = field(
        default_factory=lambda: {
            "new_birth_visit": (10, 14),
            "six_to_eight_week_review": (42, 56),
            "one_year_review": (358, 380),
        }
    )
    any_breastfeeding_factor: dict[str, float] = field(
        default_factory=lambda: {
            "new_birth_visit": 1.25,
            "six_to_eight_week_review": 1.0,
            "one_year_review": 0.45,
        }
    )
    totally_share: dict[str, float] = field(
        default_factory=lambda: {
            "new_birth_visit": 0.6,
            "six_to_eight_week_review": 0.5,
            "one_year_review": 0.3,
        }
    )
    mood_screen_not_done: float = 0.08
    mood_screen_not_done_interpreter: float = 0.25
    mood_screen_positive: float = 0.11
    referral_after_positive: float = 0.72
    referral_after_positive_interpreter: float = 0.45
    referral_after_negative: float = 0.01
    interpreter_used_when_required: float = 0.75
    moved_house: float = 0.04


CLINICAL = ClinicalRates()
NEONATAL = NeonatalRates()
HEALTH_VISITING = HealthVisitingRates()

INTERPRETER_REQUIRED_NON_ENGLISH = 0.55
INTERPRETER_REQUIRED_ENGLISH = 0.003

FATHER_OCCUPATIONS_BY_QUINTILE: tuple[tuple[str, ...], ...] = (
    (
        "Unemployed",
        "Warehouse operative",
        "Taxi driver",
        "Labourer",
        "Care assistant",
        "NS-SEC 7",
        "NS-SEC 6",
        "Student",
    ),
    (
        "Delivery driver",
        "Factory worker",
        "Retail assistant",
        "Chef",
        "NS-SEC 5",
        "NS-SEC 6",
        "Security officer",
    ),
    (
        "Electrician",
        "Bus driver",
        "Shop manager",
        "Administrator",
        "NS-SEC 3",
        "NS-SEC 4",
        "Plumber",
    ),
    ("Teacher", "Nurse", "Accountant", "IT technician", "NS-SEC 2", "Police officer"),
    (
        "Software engineer",
        "Doctor",
        "Solicitor",
        "Company director",
        "NS-SEC 1.1",
        "NS-SEC 1.2",
        "Pharmacist",
    ),
)


# What a group is, as opposed to what happens to it: kept when the risks are made equal.
GROUP_IDENTITY = ("share", "deprivation_affinity", "languages")


@dataclass(frozen=True)
class Population:
    """The risks the generator draws from. Who lives where and speaks what (the module's
    constants) is the city's; what raises a group's risks is here, so a region can be drawn
    with every inequality designed above, or with none."""

    ethnic_profiles: dict[str, GroupProfile]
    deprivation: DeprivationProfile
    clinical: ClinicalRates
    health_visiting: HealthVisitingRates

    def without_inequalities(self) -> Population:
        """Every ethnic category at the same risks (the `GroupProfile` defaults), every
        deprivation quintile alike, language, an interpreter and a first birth changing
        nothing: a null region, where any alert on a group is a false alarm. Groups keep their
        sizes, where they live and their languages, so the strata are the city's."""
        profiles = {
            category: GroupProfile(**{name: getattr(profile, name) for name in GROUP_IDENTITY})
            for category, profile in self.ethnic_profiles.items()
        }
        flat = {
            f.name: (0.0 if f.name == "age_shift_years" else 1.0,) * len(QUINTILES)
            for f in fields(DeprivationProfile)
        }
        clinical = replace(
            self.clinical,
            late_booking_non_english_rr=1.0,
            parity_rr={name: (1.0, 1.0) for name in self.clinical.parity_rr},
        )
        health_visiting = replace(
            self.health_visiting,
            mood_screen_not_done_interpreter=self.health_visiting.mood_screen_not_done,
            referral_after_positive_interpreter=self.health_visiting.referral_after_positive,
        )
        return Population(profiles, DeprivationProfile(**flat), clinical, health_visiting)


CITY = Population(ETHNIC_PROFILES, DEPRIVATION, CLINICAL, HEALTH_VISITING)
