// passport-openidconnect 0.1 ships no types; this is the part Cairn uses.
declare module 'passport-openidconnect' {
  export interface StrategyOptions {
    issuer: string;
    authorizationURL: string;
    tokenURL: string;
    clientID: string;
    clientSecret: string;
    callbackURL?: string;
    scope?: string | string[];
    prompt?: string;
    nonce?: boolean;
    skipUserProfile?: boolean;
    passReqToCallback?: boolean;
    store?: object;
    agent?: import('node:https').Agent;
  }

  export class Strategy {
    name: string;
    constructor(options: StrategyOptions, verify: (...args: never[]) => void);
    authenticate(req: unknown, options?: unknown): void;
  }
}
