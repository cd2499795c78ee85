//! The seed referential (`data/ecologic.json`): accounts and their sites, brands, product types.

use repair_dates::{Day, When};
use repair_money::Amount;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The data file, built into the binary so the core needs no file system.
const SEED: &str = include_str!("../../data/ecologic.json");

/// An `api_key` and what it opens.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub api_key: String,
    /// The host the key belongs to (`production` or `preproduction`): one key per environment.
    pub environment: String,
    /// Competence sheets ("fiches métier") the account's sites hold.
    pub fiches: Vec<u32>,
    pub sites: Vec<Value>,
}

impl Account {
    pub fn has_site(&self, site_id: &str) -> bool {
        self.sites
            .iter()
            .any(|s| s.get("SiteId").and_then(Value::as_str) == Some(site_id))
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Brand {
    pub brand_id: String,
    pub brand_name: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CodeLabel {
    #[serde(rename = "Code")]
    pub code: String,
    #[serde(rename = "Label")]
    pub label: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Product {
    #[serde(rename = "ProductId")]
    pub product_id: String,
    #[serde(rename = "ProductName")]
    pub product_name: String,
    #[serde(rename = "EligibilityStartDate")]
    pub eligibility_start: String,
    #[serde(rename = "EligibilityEndDate")]
    pub eligibility_end: String,
    pub fiche: u32,
    #[serde(rename = "supportAmount")]
    pub support_amount: Amount,
    #[serde(rename = "unknownBrandCovered")]
    pub unknown_brand_covered: bool,
    /// The eco-organism the calculation names: 44 Ecologic, 45 Ecosystem (T4).
    #[serde(rename = "ecoOrganizationId", default = "ecologic")]
    pub eco_organization_id: i64,
    #[serde(rename = "RepairCodes")]
    pub repair_codes: Vec<CodeLabel>,
    #[serde(rename = "IRISSymtoms")]
    pub symptoms: Vec<CodeLabel>,
}

fn ecologic() -> i64 {
    44
}

/// Fiche métier 7 EI&T: serial number and nameplate photo required.
pub const FICHE_EIT: u32 = 7;

impl Product {
    pub fn requires_serial_and_nameplate(&self) -> bool {
        self.fiche == FICHE_EIT
    }

    pub fn has_symptom(&self, code: &str) -> bool {
        self.symptoms.iter().any(|c| c.code == code)
    }

    pub fn has_repair_code(&self, code: &str) -> bool {
        self.repair_codes.iter().any(|c| c.code == code)
    }

    /// Whether French calendar day `day` lies in the eligibility window.
    pub fn eligible_on(&self, day: Day) -> bool {
        let bound = |text: &str| When::parse(text).map(When::day);
        match (bound(&self.eligibility_start), bound(&self.eligibility_end)) {
            (Some(start), Some(end)) => start <= day && day <= end,
            _ => false,
        }
    }

    /// The list entry, with labelled codes or bare ones.
    pub fn to_json(&self, labelled: bool) -> Value {
        let codes = |list: &[CodeLabel]| -> Value {
            if labelled {
                list.iter()
                    .map(|c| json!({"Code": c.code, "Label": c.label}))
                    .collect()
            } else {
                list.iter().map(|c| json!(c.code)).collect()
            }
        };
        json!({
            "ProductId": self.product_id,
            "ProductName": self.product_name,
            "EligibilityStartDate": self.eligibility_start,
            "EligibilityEndDate": self.eligibility_end,
            "RepairCodes": codes(&self.repair_codes),
            "IRISSymtoms": codes(&self.symptoms),
        })
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentRepair {
    #[serde(rename = "SerialNumber")]
    pub serial_number: String,
    pub days_ago: i64,
}

/// The whole seed.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Referential {
    pub preprod_brand_id_offset: u64,
    pub accounts: Vec<Account>,
    brands: Vec<Brand>,
    pub products: Vec<Product>,
    pub recent_repairs: Vec<RecentRepair>,
}

impl Referential {
    /// The built-in seed. It is part of the source, so a parse failure is a build defect,
    /// caught by the sandbox's tests.
    pub fn seed() -> Result<Self, serde_json::Error> {
        serde_json::from_str(SEED)
    }

    /// The account of `api_key` on the production host (`preproduction` false) or the other: a
    /// key of one environment is unknown on the other.
    pub fn account(&self, api_key: &str, preproduction: bool) -> Option<&Account> {
        let environment = if preproduction {
            "preproduction"
        } else {
            "production"
        };
        self.accounts.iter().find(|a| {
            a.api_key.eq_ignore_ascii_case(api_key.trim()) && a.environment == environment
        })
    }

    pub fn product(&self, product_id: &str) -> Option<&Product> {
        self.products
            .iter()
            .find(|p| p.product_id.eq_ignore_ascii_case(product_id))
    }

    /// Brands with the ids of `preprod` or of production.
    pub fn brands(&self, preprod: bool) -> Vec<Brand> {
        self.brands
            .iter()
            .map(|b| Brand {
                brand_id: match (preprod, b.brand_id.parse::<u64>()) {
                    (true, Ok(id)) => (id + self.preprod_brand_id_offset).to_string(),
                    _ => b.brand_id.clone(),
                },
                brand_name: b.brand_name.clone(),
            })
            .collect()
    }
}
