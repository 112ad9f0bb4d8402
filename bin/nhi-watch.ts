#!/usr/bin/env node
// The CDK app named in cdk.json, and the example of nhi-watch used as a construct library (bin/app.ts):
// configuration comes from context (see README.md, "Deploy to AWS").
import { App } from 'aws-cdk-lib';
import { buildNhiWatchApp } from './app.js';

const app = new App();
buildNhiWatchApp(app);
