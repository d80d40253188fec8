-- Warehouse schema, version 5 (idempotent: run on every upgrade).
-- Base tables hold the extracts' columns (../shared/spec/extracts.md) as loaded:
-- channel/type/priority trimmed and lower-cased, other text trimmed, timestamps
-- naive in the warehouse timezone. Keys are enforced by the loader (a primary
-- key index would double the memory of a 10M-row bulk load).
-- The tickets table also holds each ticket's stored facts (queries/facts.sql), so a
-- load writes every ticket once; fact_tickets is the view the KPI queries read.

create table if not exists meta (
    key varchar,
    value varchar
);

create table if not exists tickets (
    ticket_id varchar not null,
    customer_id varchar,
    channel varchar not null,
    branch_id varchar not null,
    category varchar not null,
    type varchar not null,
    priority varchar not null,
    created_at timestamp not null,
    assigned_at timestamp,
    first_response_at timestamp,
    resolved_at timestamp,
    closed_at timestamp,
    status varchar,
    reopen_count integer not null,
    escalated boolean not null,
    agent_id varchar,
    subject varchar,
    description varchar,
    -- optional columns the source extract did not have at all (e.g. the CFPB export has
    -- no resolved_at): KPIs that need them are n/a for this ticket, never 0
    not_carried varchar[]
);

-- version 1 -> 2
alter table tickets add column if not exists not_carried varchar[];
-- version 2 -> 3: the stored facts (were a table fact_tickets of their own)
alter table tickets add column if not exists region varchar;
alter table tickets add column if not exists segment varchar;
alter table tickets add column if not exists carries_first_response boolean;
alter table tickets add column if not exists carries_resolution boolean;
alter table tickets add column if not exists carries_reopen boolean;
alter table tickets add column if not exists carries_escalation boolean;
alter table tickets add column if not exists prev_complaint_at timestamp;
alter table tickets add column if not exists next_contact_at timestamp;
alter table tickets add column if not exists has_survey boolean;
alter table tickets add column if not exists latest_csat integer;
alter table tickets add column if not exists latest_nps integer;
alter table tickets add column if not exists funnel_depth integer;

-- version 3 -> 4: the optional status column (open / in_progress / resolved / closed)
alter table tickets add column if not exists status varchar;
alter table tickets add column if not exists carries_status boolean;

-- version 4 -> 5: per-ticket facts the queries read instead of computing them per query
-- (issue 7, speed): whether the source carried customer_id, and the ticket's customer as the
-- customers table knows it (churn reads these instead of joining customers each time)
alter table tickets add column if not exists carries_customer boolean;
alter table tickets add column if not exists customer_on_file boolean;
alter table tickets add column if not exists customer_churned_at date;
-- and whether the source carried assigned_at / closed_at (the funnel's stages); whether
-- the ticket names a customer; whether its status says resolved or closed (rule_resolved)
alter table tickets add column if not exists carries_assignment boolean;
alter table tickets add column if not exists carries_closing boolean;
alter table tickets add column if not exists customer_identified boolean;
alter table tickets add column if not exists status_resolved boolean;
alter table tickets add column if not exists latest_survey_id varchar;

create or replace view fact_tickets as
select
    ticket_id, customer_id, channel, branch_id, region, category, type, priority, segment,
    created_at, assigned_at, first_response_at, resolved_at, closed_at, status, reopen_count,
    escalated, carries_first_response, carries_resolution, carries_reopen,
    carries_escalation, carries_status, carries_assignment, carries_closing,
    carries_customer, customer_identified, status_resolved, customer_on_file,
    customer_churned_at, prev_complaint_at, next_contact_at, has_survey, latest_csat,
    latest_nps, latest_survey_id, funnel_depth
from tickets;

create table if not exists surveys (
    survey_id varchar not null,
    ticket_id varchar not null,
    responded_at timestamp not null,
    csat integer,
    nps integer,
    ces integer,
    comment varchar
);

create table if not exists customers (
    customer_id varchar not null,
    segment varchar,
    home_branch_id varchar,
    joined_at date,
    churned_at date,
    annual_value double
);

create table if not exists branches (
    branch_id varchar not null,
    branch_name varchar,
    region varchar,
    latitude double,
    longitude double
);

create table if not exists fixes (
    fix_id varchar not null,
    title varchar not null,
    launched_at date not null,
    category varchar,
    channel varchar,
    branch_id varchar,
    region varchar,
    owner varchar,
    description varchar
);

-- One row per load attempt, refused ones too.
create table if not exists loads (
    load_id varchar not null,
    file_name varchar not null,
    checksum varchar,
    kind varchar,
    profile varchar,
    status varchar not null,          -- loaded | already_loaded | refused
    rows_read bigint,
    rows_new bigint,
    rows_updated bigint,
    rows_rejected bigint,
    message varchar,
    loaded_by varchar,
    started_at timestamp not null,
    duration_s double
);

-- version 3 -> 4: rows a profile's `where` or `repeated_keys` leaves out on purpose, and
-- the digest of the profile's text (a load's identity: bytes + kind + profile (+ sheet))
alter table loads add column if not exists rows_skipped bigint;
alter table loads add column if not exists profile_digest varchar;

-- Every rejected row, whole, with where and why.
create table if not exists rejects (
    load_id varchar not null,
    extract varchar not null,
    line bigint,
    "column" varchar,
    reason varchar not null,
    raw varchar
);
