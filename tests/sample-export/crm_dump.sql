--
-- PostgreSQL database dump (sample, fake data)
--

CREATE TABLE public.passengers (
    id integer NOT NULL,
    full_name text,
    email text,
    date_of_birth date,
    frequent_flyer_no text,
    card_number text,
    booked_at timestamp
);

COPY public.passengers (id, full_name, email, date_of_birth, frequent_flyer_no, card_number, booked_at) FROM stdin;
1000	Olivia Testperson	olivia.testperson@example.com	1970-03-13	798935572	4111111111111111	2025-03-08 08:19:00
1001	Noah Sampleton	noah.sampleton@example.com	1953-02-27	675398922	5555555555554444	2025-03-08 08:11:00
1002	Charlotte Fakeworth	charlotte.fakeworth@example.com	1956-06-19	162275869	378282246310005	2025-03-02 08:14:00
1003	Jack Placeholder	jack.placeholder@example.com	1982-04-02	192285142	4012888888881881	2025-03-08 08:11:00
1004	Amelia Mockridge	amelia.mockridge@example.com	1977-07-03	358409929	5105105105105100	2025-03-01 08:14:00
1005	William Dummett	william.dummett@example.com	1955-09-14	163469421	6011111111111117	2025-03-08 08:14:00
1006	Isla Exampleby	isla.exampleby@example.com	2002-10-04	339701014	\N	2025-03-07 08:15:00
1007	Oliver Specimen	oliver.specimen@example.com	1990-11-19	166423868	\N	2025-03-01 08:17:00
1008	Mia Trialson	mia.trialson@example.com	1986-10-13	153246119	\N	2025-03-06 08:12:00
1009	Thomas Notreal	thomas.notreal@example.com	1964-01-18	242995371	\N	2025-03-02 08:17:00
1010	Ava Fictitia	ava.fictitia@example.com	1968-07-05	680557051	\N	2025-03-01 08:13:00
1011	James Madeup	james.madeup@example.com	1957-10-10	701571670	\N	2025-03-05 08:12:00
\.

