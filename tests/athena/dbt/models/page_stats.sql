{{ config(materialized='table') }}
select page, count(*) as hits, sum(ms) as total_ms
from {{ source('lab', 'hits') }}
where not bot
group by page
