{#- string_agg() gives the same sorted text on every engine, whatever the row order. -#}
with

values_ as (

    select 'gpt-4o' as model_name
    union all select 'claude-sonnet-4-5'
    union all select 'gemini-2.5-flash'

),

measured as (

    select {{ ailedger.string_agg('model_name', '|') }} as joined from values_

)

select * from measured
where joined <> 'claude-sonnet-4-5|gemini-2.5-flash|gpt-4o'
