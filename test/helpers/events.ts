export {
  makeApiGatewayV2Event,
  makeContext,
  makeScheduledEvent,
  makeSqsEvent,
  makeSqsRecord,
} from '../../lambda/cli/events.js';
