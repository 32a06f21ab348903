{#- percentile() interpolates linearly on every engine: over 1..10 the median is 5.5 and the
    95th percentile is 9.55 (position 0.95 × 9 = 8.55 between 9 and 10). -#}
with

values_ as (

    {% for v in range(1, 11) %}
    select cast({{ v }} as {{ ailedger.type_ratio() }}) as v{% if not loop.last %} union all{% endif %}
    {% endfor %}

),

measured as (

    select
        {{ ailedger.percentile('v', 0.5) }} as p50,
        {{ ailedger.percentile('v', 0.95) }} as p95
    from values_

)

select * from measured
where abs(p50 - 5.5) > 1e-9 or abs(p95 - 9.55) > 1e-9
