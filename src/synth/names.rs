//! The words synthetic plans are made of: business domains, gateways, frontends, infrastructure and
//! regions. When a list runs out, names repeat with a number (`orders-api-2`, "Orders API 2").

/// Business domains, as (id stem, display word). Databases, workers and APIs are named after them.
pub const DOMAINS: &[(&str, &str)] = &[
    ("orders", "Orders"),
    ("catalog", "Catalog"),
    ("customers", "Customers"),
    ("payments", "Payments"),
    ("inventory", "Inventory"),
    ("shipping", "Shipping"),
    ("pricing", "Pricing"),
    ("reviews", "Reviews"),
    ("loyalty", "Loyalty"),
    ("billing", "Billing"),
    ("returns", "Returns"),
    ("search", "Search"),
    ("identity", "Identity"),
    ("media", "Media"),
    ("notifications", "Notifications"),
    ("fraud", "Fraud"),
    ("recommendations", "Recommendations"),
    ("cart", "Cart"),
    ("promotions", "Promotions"),
    ("reporting", "Reporting"),
];

/// Shared infrastructure, as (id, display name).
pub const INFRASTRUCTURE: &[(&str, &str)] = &[
    ("network", "Network"),
    ("key-vault", "Key Vault"),
    ("service-bus", "Service Bus"),
    ("container-registry", "Container Registry"),
    ("redis-cache", "Redis Cache"),
    ("front-door", "Front Door"),
];

/// Gateways and backends-for-frontends, as (id, display name).
pub const GATEWAYS: &[(&str, &str)] = &[
    ("api-gateway", "API Gateway"),
    ("web-bff", "Web BFF"),
    ("mobile-bff", "Mobile BFF"),
    ("partner-gateway", "Partner Gateway"),
    ("admin-bff", "Admin BFF"),
    ("graphql-gateway", "GraphQL Gateway"),
];

/// User-facing frontends, as (id, display name).
pub const FRONTENDS: &[(&str, &str)] = &[
    ("storefront", "Storefront"),
    ("back-office", "Back Office"),
    ("partner-portal", "Partner Portal"),
    ("mobile-web", "Mobile Web"),
    ("help-centre", "Help Centre"),
    ("seller-portal", "Seller Portal"),
    ("account-web", "My Account"),
    ("checkout-web", "Checkout"),
];

/// Services outside the tiers, as (id, display name).
pub const OTHERS: &[(&str, &str)] = &[
    ("status-page", "Status Page"),
    ("synthetic-monitor", "Synthetic Monitor"),
    ("developer-docs", "Developer Docs"),
];

/// Azure regions, as (location, display name).
pub const REGIONS: &[(&str, &str)] = &[
    ("westeurope", "West Europe"),
    ("northeurope", "North Europe"),
    ("eastus", "East US"),
    ("eastus2", "East US 2"),
    ("westus2", "West US 2"),
    ("centralus", "Central US"),
    ("uksouth", "UK South"),
    ("francecentral", "France Central"),
    ("germanywestcentral", "Germany West Central"),
    ("swedencentral", "Sweden Central"),
    ("southeastasia", "Southeast Asia"),
    ("eastasia", "East Asia"),
    ("japaneast", "Japan East"),
    ("australiaeast", "Australia East"),
    ("canadacentral", "Canada Central"),
    ("brazilsouth", "Brazil South"),
    ("centralindia", "Central India"),
    ("koreacentral", "Korea Central"),
];

/// Schema changes, as (old column, new column, what the migration is called).
pub const SCHEMA_CHANGES: &[(&str, &str, &str)] = &[
    ("Status", "StatusCode", "status code"),
    ("Currency", "CurrencyCode", "currency code"),
    ("Price", "PriceMinorUnits", "prices in minor units"),
    ("Email", "NormalisedEmail", "normalised email"),
    ("Address", "AddressId", "address table"),
    ("Region", "RegionCode", "region code"),
    ("CreatedAt", "CreatedAtUtc", "UTC timestamps"),
];

/// The `index`-th name of `list`, numbered from the second round on: (`orders`, "Orders") and then
/// (`orders-2`, "Orders 2"). `list` must not be empty.
pub fn nth(list: &[(&'static str, &'static str)], index: usize) -> (String, String) {
    let (id, name) = list[index % list.len()];
    match index / list.len() {
        0 => (id.to_owned(), name.to_owned()),
        round => (
            format!("{id}-{}", round + 1),
            format!("{name} {}", round + 1),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_repeat_with_a_number() {
        assert_eq!(
            nth(GATEWAYS, 0),
            ("api-gateway".into(), "API Gateway".into())
        );
        assert_eq!(
            nth(GATEWAYS, GATEWAYS.len()),
            ("api-gateway-2".into(), "API Gateway 2".into())
        );
        assert_eq!(
            nth(GATEWAYS, 2 * GATEWAYS.len() + 1),
            ("web-bff-3".into(), "Web BFF 3".into())
        );
    }
}
