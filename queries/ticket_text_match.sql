-- ticket_text_match: the text condition of tickets_base.sql for a search: the ILIKE
-- pattern $q (wildcards in the user's text escaped with '\') in the subject, the
-- description or a survey comment of the ticket. Expression over `tb`.
(tb.subject ilike $q escape '\'
 or tb.description ilike $q escape '\'
 or tb.ticket_id in (
     select sv.ticket_id from surveys as sv where sv.comment ilike $q escape '\'))
