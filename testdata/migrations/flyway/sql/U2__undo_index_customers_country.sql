DROP INDEX customers_country_idx;
