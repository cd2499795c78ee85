// The ES-module entry of repair-claims/server (the gateway lives in index.js).
import gateway from './index.js';

export const { createGateway } = gateway;
