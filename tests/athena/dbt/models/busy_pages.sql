{{ config(materialized='view') }}
select page, hits
from {{ ref('page_stats') }}
where hits > 1
