-- ticket_text: the text condition of tickets_base.sql when there is no text search.
true
