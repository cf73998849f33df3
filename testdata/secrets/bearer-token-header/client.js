fetch(url, { headers: { Authorization: "Bearer oUf1EHgAAL5TaXmMnuSxnym6OhpT82KrMKsmWYyP" } });
