"""The sample company's structure: regions, industries, sizes, lead sources, products, seasons and names.

Pure constants (no randomness): every other module of `planning.sample` draws from these. The shares and growth
rates are chosen so each step of the method finds something real (see the package docstring).
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

DEFAULT_SEED = 20261
DEFAULT_END = _dt.date(2026, 9, 30)
START = _dt.date(2022, 1, 1)
TABLES = (
    "regions",
    "reps",
    "customers",
    "orders",
    "opportunities",
    "marketing",
    "market_size",
    "plan_of_record",
)

# --- the company's structure -------------------------------------------------------------------------------
REGIONS = (
    ("east", "East China", "华东"),
    ("north", "North China", "华北"),
    ("south", "South China", "华南"),
    ("central", "Central China", "华中"),
    ("southwest", "Southwest China", "西南"),
    ("northeast", "Northeast China", "东北"),
)
REGION_KEYS = tuple(r[0] for r in REGIONS)
# Share of the business in 2022 and annual revenue growth; the northeast shrinks, the southwest booms.
REGION_WEIGHT = np.array([0.30, 0.20, 0.19, 0.12, 0.10, 0.09])
REGION_GROWTH = np.array([0.16, 0.07, 0.10, 0.09, 0.26, -0.08])
# Quota-carrying seats per region at scale 1 (two teams each), plus seats opened later (growth hires).
REGION_SEATS = np.array([7, 5, 5, 4, 3, 4])
NEW_SEATS = {"southwest": ("2024-03-01", "2025-03-01"), "east": ("2025-01-06",)}
# Annual attrition hazard per region: the northeast loses people faster.
REGION_ATTRITION = np.array([0.13, 0.15, 0.15, 0.14, 0.12, 0.26])
# Market: our share in 2022 and annual market growth per region (added to the industry's market growth).
REGION_SHARE0 = np.array([0.07, 0.06, 0.055, 0.05, 0.04, 0.08])
REGION_MARKET_GROWTH = np.array([0.05, 0.04, 0.06, 0.06, 0.11, 0.02])

INDUSTRIES = ("manufacturing", "energy", "healthcare", "retail", "logistics", "education")
IND_WEIGHT = np.array([0.34, 0.16, 0.14, 0.14, 0.14, 0.08])
# Relative pull of an industry's customers per year (energy booming, retail shrinking).
IND_REL_GROWTH = np.array([1.00, 1.22, 1.06, 0.86, 1.01, 0.97])
IND_MARKET_GROWTH = np.array([0.03, 0.18, 0.07, -0.04, 0.04, 0.02])
IND_WIN_MULT = np.array([1.00, 1.20, 1.05, 0.80, 1.00, 0.90])
IND_WORD = ("Machinery", "Energy", "Medical", "Retail", "Logistics", "Education")

SIZE_BANDS = ("small", "medium", "large")
SIZE_P = np.array([0.50, 0.35, 0.15])
SIZE_ORDER_WEIGHT = np.array([1.0, 2.4, 5.5])
SIZE_WALLET = np.array([0.4e6, 1.6e6, 6.0e6])

SOURCES = ("content", "events", "referral", "partner_leads")
SOURCE_SHARE = np.array([0.35, 0.25, 0.15, 0.25])
SOURCE_CPL = np.array([380.0, 1150.0, 220.0, 640.0])  # cost per qualified lead
SOURCE_WIN_MULT = np.array([0.90, 1.00, 1.35, 0.85])

PRODUCT_LINES = ("equipment", "spare_parts", "services", "software")
PRODUCT_P = np.array([0.10, 0.45, 0.28, 0.17])
PRODUCT_MARGIN = np.array([0.30, 0.48, 0.55, 0.78])
OPP_PRODUCT_P = np.array([0.40, 0.20, 0.20, 0.20])
OPP_AMOUNT = np.array([380e3, 45e3, 65e3, 120e3])
CHANNELS = ("direct", "partner", "online")

# Month-of-year effect: mid-year bump (June, "618"), strong Q4 (year-end budgets). The Chinese New Year dip is
# added per year from the holiday's date, so it moves between January and February like the real one.
SEASON = np.array([0.97, 1.00, 0.98, 0.98, 1.00, 1.13, 1.03, 0.95, 1.00, 0.97, 1.16, 1.36])
SEASON = SEASON / SEASON.mean()
CNY = {
    2021: "2021-02-12", 2022: "2022-02-01", 2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29",
    2026: "2026-02-17", 2027: "2027-02-06", 2028: "2028-01-26", 2029: "2029-02-13", 2030: "2030-02-03",
}  # fmt: skip
CNY_WINDOW = (-10, 12)  # business slows from ~10 days before the festival to ~12 days after
CNY_LEVEL = 0.35  # share of normal volume inside that window
# Trade fairs in spring and autumn drive event leads.
EVENT_SEASON = np.array([0.5, 0.4, 1.3, 1.4, 1.0, 0.9, 0.7, 0.7, 1.3, 1.4, 1.2, 0.6])

# Funnel: lead -> discovery -> proposal -> negotiation -> won, and mean days spent in each stage.
STAGE_P = np.array([0.60, 0.55, 0.60, 0.50])
STAGE_DAYS = np.array([9.0, 18.0, 24.0, 21.0])
STAGE_NAMES = ("lead", "discovery", "proposal", "negotiation")

SURNAMES = (
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao Zheng Liang Xie Song Tang "
    "Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du Ye Cheng Wei Su Lu Ding Ren Shen Yao"
).split()
GIVEN = (
    "Wei Fang Min Jing Lei Jun Yang Yong Yan Jie Tao Ming Chao Xiu Hui Qiang Ping Gang Hua Dan Bo Ying Xin Hao "
    "Yu Lin Peng Fei Kai Rui Ting Xue Ning Bin Jian Lan Qing Wen Zhen Yi Shan Jia Hong Long Mei Kun"
).split()
NAME_PREFIX = (
    "Huaxin Zhongda Hengtai Jinlong Xinghe Tianrui Dongfang Changcheng Hongyuan Kaixuan Shengda Yongxin Boda "
    "Ruifeng Jiahe Minsheng Haitong Fuxing Zhongke Xinda Evergreen Pacific Orient Golden-Bridge Summit Bluewave "
    "Silverline Northstar Greenfield Redstone Crestview Harbor Unity Pioneer Landmark"
).split()
NAME_SUFFIX = ("Co.", "Group", "Ltd.", "Holdings", "Industries", "Technology")
