#!/usr/bin/env node
// The CDK app named in cdk.json: configuration comes from context (see README.md, "Deploy to AWS").
import { App } from 'aws-cdk-lib';
import { buildNhiWatchApp } from '../lib/app.js';

const app = new App();
buildNhiWatchApp(app);
