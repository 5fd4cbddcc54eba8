CREATE TABLE posts (
    id serial PRIMARY KEY,
    author_id integer NOT NULL,
    title varchar(120) NOT NULL,
    body text NOT NULL
);
