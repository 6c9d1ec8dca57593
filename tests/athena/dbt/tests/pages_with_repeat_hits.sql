{{ config(tags=['must_fail']) }}
-- Fails on purpose (one failing row per page with more than one hit): the client test runs it
-- alone to see that `dbt test` reports failures the lab's answers contain.
select page, hits from {{ ref('page_stats') }} where hits > 1
