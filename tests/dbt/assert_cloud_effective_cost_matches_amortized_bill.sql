{#- Per CUR or FOCUS file: the cloud-cost grain's effective total equals the bill's own
    amortized total to the cent, and its billed total the invoiced total. The bill side is
    read from staging with each export's own definition (AWS Cost Explorer's amortized cost:
    covered usage at its Savings Plan or reservation effective cost, negations and upfront
    fees at zero, commitment fees at their unused part; FOCUS EffectiveCost as given), so a
    line dropped, counted twice or mis-categorised between the layers fails here. -#}
with

grain as (

    select source_file, sum(effective_cost) as effective_cost, sum(billed_cost) as billed_cost
    from {{ ref('int_cloud_costs_converted') }}
    where source_format in ('aws_cur', 'focus')
    group by source_file

),

cur as (

    select
        source_file,
        sum(case
            when line_item_type = 'SavingsPlanCoveredUsage' then savings_plan_effective_cost
            when line_item_type = 'DiscountedUsage' then reservation_effective_cost
            when line_item_type = 'SavingsPlanRecurringFee'
                then savings_plan_total_commitment - savings_plan_used_commitment
            when line_item_type = 'RIFee'
                then reservation_unused_upfront_fee + reservation_unused_recurring_fee
            when line_item_type in ('SavingsPlanNegation', 'SavingsPlanUpfrontFee') then 0
            when line_item_type = 'Fee' and usage_type like '%HeavyUsage%' then 0
            else unblended_cost
        end) as effective_cost,
        sum(unblended_cost) as billed_cost
    from {{ ref('stg_cloud__aws_cur_line_items') }}
    group by source_file

),

focus as (

    select source_file, sum(effective_cost) as effective_cost, sum(billed_cost) as billed_cost
    from {{ ref('stg_cloud__focus_charges') }}
    group by source_file

),

bills as (

    select * from cur
    union all
    select * from focus

)

select bills.source_file, bills.effective_cost, grain.effective_cost as grain_effective_cost,
    bills.billed_cost, grain.billed_cost as grain_billed_cost
from bills
left join grain
    on grain.source_file = bills.source_file
where grain.source_file is null
    or abs(grain.effective_cost - bills.effective_cost) >= 0.005
    or abs(grain.billed_cost - bills.billed_cost) >= 0.005
