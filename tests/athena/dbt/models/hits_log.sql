{{ config(materialized='incremental', incremental_strategy='append') }}
select id, page, ms
from {{ source('lab', 'hits') }}
{% if is_incremental() %}
where id > (select max(id) from {{ this }})
{% endif %}
