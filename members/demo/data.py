"""The CLAMTEX demo partnership (DESIGN.md). Data, not code paths: nothing in the portal
depends on these values."""

from datetime import date, timedelta

SECTORS = [
    ("C13", "Manufacture of textiles", None),
    ("C13.1", "Preparation and spinning of textile fibres", "C13"),
    ("C13.2", "Weaving of textiles", "C13"),
    ("C13.3", "Finishing of textiles", "C13"),
    ("C13.9", "Manufacture of other textiles", "C13"),
    ("C13.91", "Knitted and crocheted fabrics", "C13.9"),
    ("C13.92", "Made-up textile articles, except apparel", "C13.9"),
    ("C13.95", "Non-wovens and articles made from non-wovens", "C13.9"),
    ("C13.96", "Other technical and industrial textiles", "C13.9"),
    ("C14", "Manufacture of wearing apparel", None),
    ("C14.1", "Wearing apparel, except fur apparel", "C14"),
    ("C14.3", "Knitted and crocheted apparel", "C14"),
    ("C15", "Manufacture of leather and related products", None),
    ("C15.2", "Manufacture of footwear", "C15"),
    ("C20", "Manufacture of chemicals and chemical products", None),
    ("C22", "Manufacture of rubber and plastic products", None),
    ("C24", "Manufacture of basic metals", None),
    ("C25", "Manufacture of fabricated metal products", None),
    ("C26", "Manufacture of computer, electronic and optical products", None),
    ("C27", "Manufacture of electrical equipment", None),
    ("C28", "Manufacture of machinery and equipment", None),
    ("C29", "Manufacture of motor vehicles, trailers and semi-trailers", None),
    ("C30", "Manufacture of other transport equipment", None),
    ("C30.3", "Manufacture of air and spacecraft and related machinery", "C30"),
    ("C33", "Repair and installation of machinery and equipment", None),
    ("J62", "Computer programming, consultancy and related activities", None),
    ("M71", "Architectural and engineering activities; technical testing", None),
    ("M72", "Scientific research and development", None),
    ("P85", "Education and training", None),
]

PARTNERSHIP = {
    "acronym": "CLAMTEX",
    "name": "Cluster management towards excellence in Advanced Manufacturing and Textile Industry",
    "programme": "COSME – European Strategic Cluster Partnerships for Excellence",
    "description": (
        "Five textile and advanced-manufacturing clusters from Spain, Portugal and France "
        "working on innovation & digitalisation, internationalisation and the circular "
        "economy. The partners first met at Terrassa on 4–5 March 2020."
    ),
}

# The demo is alive: the partnership's current programme started 14 months before the
# month the demo is seeded in and runs 24 months (projects/demo.py plans it on this).
MONTHS_RUNNING = 14
DURATION_MONTHS = 24


def programme_start(today: date) -> date:
    """The first day of the month MONTHS_RUNNING months before `today`'s month."""
    months = today.year * 12 + today.month - 1 - MONTHS_RUNNING
    return date(months // 12, months % 12 + 1, 1)


def programme_end(today: date) -> date:
    """The last day of the programme's DURATION_MONTHS-th month."""
    start = programme_start(today)
    months = start.year * 12 + start.month - 1 + DURATION_MONTHS
    return date(months // 12, months % 12 + 1, 1) - timedelta(days=1)


def _month_end(start: date, month: int) -> date:
    """The last day of the programme's `month`-th month (1 is the month it starts)."""
    months = start.year * 12 + start.month - 1 + month
    return date(months // 12, months % 12 + 1, 1) - timedelta(days=1)


# The benchmarking visit (ESCA) and the award of each cluster's current label, in months
# of the programme: every partner cluster was benchmarked in work package 2, by month 10
# (milestone MS2), and labelled (or renewed) since, so the KPIs "labels obtained or
# renewed" and "benchmarking visits" count them. A label is valid two years.
LABEL_MONTHS = {
    "aei": (4, 5),
    "ateval": (5, 7),
    "produtech": (6, 8),
    "citeve": (8, 10),
    "emc2": (9, 11),
}


def current_label_dates(key: str, today: date) -> tuple[date, date, date]:
    """(benchmarked on, awarded on, valid until) of a demo cluster's current label."""
    start = programme_start(today)
    visit, award = LABEL_MONTHS[key]
    benchmarked = _month_end(start, visit - 1) + timedelta(days=14)
    return benchmarked, _month_end(start, award), _month_end(start, award + 24)


CLUSTERS = [
    {
        "key": "aei",
        "acronym": "AEI TÈXTILS",
        "name": "Agrupació Empresarial Innovadora Tèxtil",
        "is_coordinator": True,
        "legal_status": "Non-profit association",
        "year_founded": 2008,
        "country": "ES",
        "nuts2_region": "Cataluña",
        "nuts2_code": "ES51",
        "city": "Terrassa",
        "lat": 41.5630,
        "lon": 2.0089,
        "website": "https://www.textils.cat",
        "description": (
            "Innovative business association of the Catalan technical-textile industry, "
            "coordinator of CLAMTEX. About 30 members, 22 of them SMEs."
        ),
        "staff_fte": "4.0",
        "counts": (22, 2, 4, 1, 1),
        "sectors": ["C13", "C13.96", "C13.95", "C14"],
        "technologies": "Technical textiles\nSmart textiles\nFunctional finishing\nNon-wovens",
        "keywords": "technical textiles\ninnovation\ndigitalisation\ncircular economy",
        "value_chains": "Textiles\nHealth\nMobility",
        "services": "Innovation projects\nInternationalisation\nTraining\nMatchmaking",
        "label": "silver",
        "cities": [
            ("Terrassa", 41.563, 2.009),
            ("Sabadell", 41.548, 2.107),
            ("Mataró", 41.540, 2.444),
            ("Igualada", 41.580, 1.617),
            ("Barcelona", 41.387, 2.170),
        ],
        "language": "ca",
    },
    {
        "key": "ateval",
        "acronym": "ATEVAL",
        "name": "Asociación de Empresarios Textiles de la Comunidad Valenciana",
        "legal_status": "Business association",
        "year_founded": 1977,
        "country": "ES",
        "nuts2_region": "Comunitat Valenciana",
        "nuts2_code": "ES52",
        "city": "Ontinyent",
        "lat": 38.8220,
        "lon": -0.6063,
        "website": "https://www.ateval.com",
        "description": (
            "Textile association of the Valencia region: more than 340 companies with about "
            "10,500 employees, in home textiles, technical textiles and apparel."
        ),
        "staff_fte": "12.0",
        "counts": (310, 12, 6, 4, 10),
        "sectors": ["C13", "C13.92", "C13.2", "C14"],
        "technologies": "Home textiles\nJacquard weaving\nDigital printing\nLean manufacturing",
        "keywords": "home textiles\nlean management\nsustainability",
        "value_chains": "Textiles\nHome & interior",
        "services": "Training\nTrade fairs\nInternationalisation",
        "label": "bronze",
        "cities": [
            ("Ontinyent", 38.822, -0.606),
            ("Alcoi", 38.698, -0.474),
            ("Cocentaina", 38.745, -0.439),
            ("Bocairent", 38.767, -0.612),
            ("Crevillent", 38.249, -0.809),
        ],
        "language": "es",
    },
    {
        "key": "produtech",
        "acronym": "PRODUTECH",
        "name": "PRODUTECH – Production Technologies Cluster",
        "legal_status": "Private non-profit association",
        "year_founded": 2008,
        "country": "PT",
        "nuts2_region": "Norte",
        "nuts2_code": "PT11",
        "city": "Porto",
        "lat": 41.1579,
        "lon": -8.6291,
        "website": "https://www.produtech.org",
        "description": (
            "Portuguese cluster of production technologies (also spelt PRODUCTECH): "
            "machinery, automation and digital manufacturing."
        ),
        "staff_fte": "6.0",
        "counts": (90, 15, 20, 3, 5),
        "sectors": ["C28", "C26", "C27", "J62"],
        "technologies": "Industrial automation\nRobotics\nIndustry 4.0\nMachine vision",
        "keywords": "advanced manufacturing\nautomation\ndigitalisation",
        "value_chains": "Advanced manufacturing\nMachinery",
        "services": "R&D projects\nInternationalisation\nRoadmapping",
        "label": "silver",
        "cities": [
            ("Porto", 41.158, -8.629),
            ("Braga", 41.545, -8.427),
            ("Maia", 41.236, -8.620),
            ("Aveiro", 40.640, -8.653),
            ("Guimarães", 41.444, -8.296),
        ],
        "language": "pt",
    },
    {
        "key": "citeve",
        "acronym": "Cluster Têxtil",
        "name": "Cluster Têxtil: Tecnologia e Moda (CITEVE)",
        "legal_status": "Private non-profit association",
        "year_founded": 2017,
        "country": "PT",
        "nuts2_region": "Norte",
        "nuts2_code": "PT11",
        "city": "Vila Nova de Famalicão",
        "lat": 41.4080,
        "lon": -8.5198,
        "website": "https://www.citeve.pt",
        "description": (
            "Portuguese textile and clothing cluster managed by CITEVE, the textile and "
            "clothing technology centre active since 1989."
        ),
        "staff_fte": "5.0",
        "counts": (120, 8, 10, 2, 6),
        "sectors": ["C13", "C14", "C13.3", "C13.91"],
        "technologies": "Functional textiles\nSustainable finishing\nKnitting\nTesting and certification",
        "keywords": "fashion\ntechnical textiles\nsustainability",
        "value_chains": "Textiles & clothing",
        "services": "Testing laboratory\nTraining\nInnovation projects",
        "label": "bronze",
        "cities": [
            ("Vila Nova de Famalicão", 41.408, -8.520),
            ("Guimarães", 41.444, -8.296),
            ("Barcelos", 41.531, -8.619),
            ("Santo Tirso", 41.343, -8.477),
            ("Covilhã", 40.281, -7.504),
        ],
        "language": "pt",
    },
    {
        "key": "emc2",
        "acronym": "Pôle EMC2",
        "name": "Pôle EMC2 – Ensembles Métalliques et Composites Complexes",
        "legal_status": "Association loi 1901",
        "year_founded": 2005,
        "country": "FR",
        "nuts2_region": "Pays de la Loire",
        "nuts2_code": "FRG0",
        "city": "Bouguenais",
        "lat": 47.1778,
        "lon": -1.6236,
        "website": "https://www.pole-emc2.fr",
        "description": (
            "French competitiveness cluster of advanced manufacturing (metal, composites), "
            "founded in 2005, about 350 members."
        ),
        "staff_fte": "20.0",
        "counts": (230, 45, 50, 15, 10),
        "sectors": ["C25", "C24", "C22", "C30.3", "C29"],
        "technologies": "Composites\nAdditive manufacturing\nAssembly\nMetallic structures",
        "keywords": "advanced manufacturing\ncomposites\nfactory of the future",
        "value_chains": "Aeronautics\nAutomotive\nNaval",
        "services": "Project support\nTechnology watch\nEuropean projects",
        "label": "gold",
        "cities": [
            ("Nantes", 47.218, -1.554),
            ("Saint-Nazaire", 47.273, -2.214),
            ("Angers", 47.478, -0.563),
            ("Le Mans", 48.006, 0.199),
            ("Cholet", 47.060, -0.879),
        ],
        "language": "fr",
    },
]

# Name parts per country, combined deterministically into realistic company names.
NAME_PARTS = {
    "aei": (
        [
            "Teixits",
            "Filats",
            "Acabats",
            "Tèxtils",
            "Nowovens",
            "Recobriments",
            "Tints",
            "Fibres",
            "Punt",
            "Tecnotèxtil",
        ],
        [
            "Vallès",
            "Llobregat",
            "Mediterrània",
            "Montserrat",
            "Anoia",
            "Maresme",
            "Ripoll",
            "Ter",
            "Garraf",
            "Penedès",
        ],
        ["S.L.", "S.A.", "S.L.U."],
    ),
    "ateval": (
        [
            "Tejidos",
            "Hilaturas",
            "Confecciones",
            "Estampados",
            "Textil Hogar",
            "Mantas",
            "Tapicerías",
            "Acabados",
            "Novotex",
            "Jacquard",
        ],
        [
            "Levante",
            "Albaida",
            "Turia",
            "Mariola",
            "Benicadell",
            "Clariano",
            "Serpis",
            "Vinalopó",
            "Safor",
            "Costera",
        ],
        ["S.L.", "S.A.", "S.L.U."],
    ),
    "produtech": (
        [
            "Tecnologias",
            "Automação",
            "Metalúrgica",
            "Engenharia",
            "Robótica",
            "Sistemas",
            "Moldes",
            "Máquinas",
            "Digital",
            "Precisão",
        ],
        [
            "Atlântico",
            "Lusitana",
            "Norte",
            "Invicta",
            "Leça",
            "Maia",
            "Gaia",
            "Douro",
            "Aveiro",
            "Minho",
        ],
        ["Lda.", "S.A.", "Unipessoal Lda."],
    ),
    "citeve": (
        [
            "Têxteis",
            "Fiação",
            "Malhas",
            "Tinturaria",
            "Confecções",
            "Tecelagem",
            "Bordados",
            "Estamparia",
            "Acabamentos",
            "Moda",
        ],
        [
            "do Ave",
            "do Cávado",
            "da Serra",
            "de Famalicão",
            "do Vale",
            "de Barcelos",
            "da Covilhã",
            "de Tirso",
            "do Este",
            "de Guimarães",
        ],
        ["Lda.", "S.A.", "Unipessoal Lda."],
    ),
    "emc2": (
        [
            "Composites",
            "Usinage",
            "Mécanique",
            "Structures",
            "Fabrication Additive",
            "Chaudronnerie",
            "Robotique",
            "Matériaux",
            "Tôlerie",
            "Assemblages",
        ],
        [
            "de l'Atlantique",
            "Loire",
            "Océane",
            "d'Anjou",
            "du Maine",
            "Vendée",
            "Estuaire",
            "Erdre",
            "Sarthe",
            "Mauges",
        ],
        ["SAS", "SARL", "SA"],
    ),
}

FIRST_NAMES = {
    "ES": [
        "Jordi",
        "Montserrat",
        "Marta",
        "Pere",
        "Laura",
        "Javier",
        "Carmen",
        "Vicent",
        "Lucía",
        "Pau",
    ],
    "PT": ["João", "Ana", "Rui", "Sofia", "Pedro", "Inês", "Miguel", "Catarina", "Nuno", "Beatriz"],
    "FR": [
        "Julien",
        "Camille",
        "Nicolas",
        "Claire",
        "Antoine",
        "Sophie",
        "Mathieu",
        "Élodie",
        "Thomas",
        "Manon",
    ],
}
LAST_NAMES = {
    "ES": [
        "Puig",
        "Soler",
        "Ferrer",
        "Vidal",
        "García",
        "Martínez",
        "Sanchis",
        "Belda",
        "Mollà",
        "Ribera",
    ],
    "PT": [
        "Silva",
        "Ferreira",
        "Costa",
        "Oliveira",
        "Pereira",
        "Santos",
        "Rodrigues",
        "Almeida",
        "Carvalho",
        "Sousa",
    ],
    "FR": [
        "Martin",
        "Bernard",
        "Dubois",
        "Moreau",
        "Laurent",
        "Lefèvre",
        "Girard",
        "Morel",
        "Fournier",
        "Guérin",
    ],
}

CAPABILITIES = [
    "Flame-retardant finishing; coating and lamination",
    "Circular knitting; seamless garments; functional yarns",
    "Non-woven production (spunlace, needle-punch) for hygiene and filtration",
    "Digital textile printing; small series; eco-friendly inks",
    "Composite parts (RTM, infusion) for aeronautics and naval",
    "CNC machining of large metallic structures; welding",
    "Industrial automation, robot cells and machine vision for quality control",
    "Recycling of post-consumer textile waste into new fibres",
    "Smart textiles with embedded sensors; e-textile prototyping",
    "Additive manufacturing of metal parts; topology optimisation",
]
CERTIFICATIONS = ["ISO 9001", "ISO 14001", "OEKO-TEX Standard 100", "GOTS", "EN 9100", "ISO 45001"]
