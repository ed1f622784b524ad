/**
 * Where the functions run. Hong Kong is the Google Cloud region nearest the community offices;
 * Firestore triggers must run in the database's region, so create the database there too.
 */
export const REGION = 'asia-east2';
