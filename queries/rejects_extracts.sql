-- rejects_extracts: the extracts that have rejected rows, with how many. No parameters.
select extract, count(*) as rows from rejects group by extract order by extract
