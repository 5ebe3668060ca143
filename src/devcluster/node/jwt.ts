/**
 * The dev nodes' JWTs (signing, taking tokens apart, checking the HS512 signature) are medic's own: one implementation
 * in util/jwt.ts, shared with the probes' --jwt-secret, so that what medic signs and what a dev node accepts cannot
 * drift apart.
 */
export {bearer, hs512Matches, type JwtParts, signJwt, splitJwt} from '../../util/jwt.js'
