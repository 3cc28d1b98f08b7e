// Limits shared by the schema (load) and secret resolution. Pure.

/** The shortest webhook secret / BambooHR key accepted (`openssl rand -hex 32` gives 64 characters). */
export const MIN_SHARED_SECRET_LENGTH = 24;
