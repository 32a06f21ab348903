{#- A bill whose currency has no exchange rate for its month is never summed as dollars: its
    USD costs are null, and this test fails naming the file, currency and month. Add the rate
    to seeds/exchange_rates.csv. -#}
select source_file, currency, billing_month, count(*) as lines
from {{ ref('int_cloud_costs_converted') }}
where usd_per_unit is null
group by source_file, currency, billing_month
