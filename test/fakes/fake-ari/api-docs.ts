/**
 * The fake's own API description: Swagger 1.1 (the shape Asterisk serves and `ari-client`'s swagger loader
 * reads), covering only the operations Touchtone uses. Written from the field names in Asterisk's
 * `rest-api/api-docs/*.json`, not copied from them.
 */

type Param = [name: string, paramType: 'path' | 'query' | 'body', required: boolean, dataType?: string];
type Op = [httpMethod: string, nickname: string, responseClass: string, params: Param[]];

function api(path: string, operations: Op[]): object {
  return {
    path,
    operations: operations.map(([httpMethod, nickname, responseClass, params]) => ({
      httpMethod,
      nickname,
      responseClass,
      summary: nickname,
      parameters: params.map(([name, paramType, required, dataType]) => ({
        name,
        paramType,
        required,
        allowMultiple: name === 'media',
        dataType: dataType ?? 'string',
      })),
    })),
  };
}

function model(id: string, properties: Record<string, string>): object {
  return {
    id,
    properties: Object.fromEntries(Object.entries(properties).map(([name, type]) => [name, { type, required: false }])),
  };
}

function resource(name: string, apis: object[], models: object[]): object {
  return {
    apiVersion: '10.0.0',
    swaggerVersion: '1.1',
    basePath: '{base}',
    resourcePath: `/api-docs/${name}.{format}`,
    apis,
    models: Object.fromEntries(models.map((m) => [(m as { id: string }).id, m])),
  };
}

const channelModels = [
  model('CallerID', { name: 'string', number: 'string' }),
  model('DialplanCEP', { context: 'string', exten: 'string', priority: 'long', app_name: 'string', app_data: 'string' }),
  model('Channel', { id: 'string', name: 'string', state: 'string', caller: 'CallerID', connected: 'CallerID', dialplan: 'DialplanCEP', language: 'string', creationtime: 'Date' }),
];
const playbackModel = model('Playback', { id: 'string', media_uri: 'string', target_uri: 'string', language: 'string', state: 'string' });
const recordingModel = model('LiveRecording', { name: 'string', format: 'string', target_uri: 'string', state: 'string', duration: 'int', cause: 'string' });
const bridgeModel = model('Bridge', { id: 'string', technology: 'string', bridge_type: 'string', channels: 'List[string]' });
const applicationModel = model('Application', { name: 'string', channel_ids: 'List[string]', events_allowed: 'List[object]' });

const channelId: Param = ['channelId', 'path', true];

const DESCRIPTIONS: Record<string, object> = {
  asterisk: resource('asterisk', [api('/asterisk/ping', [['GET', 'ping', 'AsteriskPing', []]])], [model('AsteriskPing', { ping: 'string', timestamp: 'string', asterisk_id: 'string' })]),
  channels: resource(
    'channels',
    [
      api('/channels', [
        ['GET', 'list', 'List[Channel]', []],
        ['POST', 'originate', 'Channel', [['endpoint', 'query', true], ['app', 'query', false], ['appArgs', 'query', false], ['callerId', 'query', false], ['timeout', 'query', false, 'int'], ['channelId', 'query', false], ['otherChannelId', 'query', false]]],
      ]),
      api('/channels/create', [['POST', 'create', 'Channel', [['endpoint', 'query', true], ['app', 'query', true], ['appArgs', 'query', false], ['channelId', 'query', false], ['originator', 'query', false], ['variables', 'body', false, 'containers']]]]),
      api('/channels/{channelId}', [
        ['GET', 'get', 'Channel', [channelId]],
        ['DELETE', 'hangup', 'void', [channelId, ['reason', 'query', false]]],
      ]),
      api('/channels/{channelId}/answer', [['POST', 'answer', 'void', [channelId]]]),
      api('/channels/{channelId}/continue', [['POST', 'continueInDialplan', 'void', [channelId, ['context', 'query', false], ['extension', 'query', false], ['priority', 'query', false, 'int']]]]),
      api('/channels/{channelId}/play/{playbackId}', [['POST', 'playWithId', 'Playback', [channelId, ['playbackId', 'path', true], ['media', 'query', true], ['lang', 'query', false]]]]),
      api('/channels/{channelId}/record', [['POST', 'record', 'LiveRecording', [channelId, ['name', 'query', true], ['format', 'query', true], ['maxDurationSeconds', 'query', false, 'int'], ['maxSilenceSeconds', 'query', false, 'int'], ['ifExists', 'query', false], ['beep', 'query', false, 'boolean'], ['terminateOn', 'query', false]]]]),
      api('/channels/{channelId}/variable', [['POST', 'setChannelVar', 'void', [channelId, ['variable', 'query', true], ['value', 'query', false]]]]),
      api('/channels/{channelId}/moh', [
        ['POST', 'startMoh', 'void', [channelId, ['mohClass', 'query', false]]],
        ['DELETE', 'stopMoh', 'void', [channelId]],
      ]),
      api('/channels/{channelId}/ring', [
        ['POST', 'ring', 'void', [channelId]],
        ['DELETE', 'ringStop', 'void', [channelId]],
      ]),
      api('/channels/{channelId}/dial', [['POST', 'dial', 'void', [channelId, ['caller', 'query', false], ['timeout', 'query', false, 'int']]]]),
      api('/channels/{channelId}/dtmf', [['POST', 'sendDTMF', 'void', [channelId, ['dtmf', 'query', false]]]]),
    ],
    channelModels,
  ),
  bridges: resource(
    'bridges',
    [
      api('/bridges', [['GET', 'list', 'List[Bridge]', []], ['POST', 'create', 'Bridge', [['type', 'query', false], ['bridgeId', 'query', false], ['name', 'query', false]]]]),
      api('/bridges/{bridgeId}', [['DELETE', 'destroy', 'void', [['bridgeId', 'path', true]]]]),
      api('/bridges/{bridgeId}/addChannel', [['POST', 'addChannel', 'void', [['bridgeId', 'path', true], ['channel', 'query', true]]]]),
    ],
    [bridgeModel],
  ),
  playbacks: resource(
    'playbacks',
    [api('/playbacks/{playbackId}', [
      ['GET', 'get', 'Playback', [['playbackId', 'path', true]]],
      ['DELETE', 'stop', 'void', [['playbackId', 'path', true]]],
    ])],
    [playbackModel],
  ),
  recordings: resource('recordings', [api('/recordings/live/{recordingName}', [['GET', 'getLive', 'LiveRecording', [['recordingName', 'path', true]]]])], [recordingModel]),
  applications: resource(
    'applications',
    [
      api('/applications/{applicationName}/eventFilter', [['PUT', 'filter', 'Application', [['applicationName', 'path', true], ['filter', 'body', false, 'object']]]]),
      api('/applications/{applicationName}/subscription', [['POST', 'subscribe', 'Application', [['applicationName', 'path', true], ['eventSource', 'query', true]]]]),
    ],
    [applicationModel],
  ),
  events: resource(
    'events',
    [api('/events', [['GET', 'eventWebsocket', 'Message', [['app', 'query', true], ['subscribeAll', 'query', false, 'boolean']]]])],
    [
      model('Message', { type: 'string', asterisk_id: 'string' }),
      model('Event', { application: 'string', timestamp: 'Date' }),
      model('StasisStart', { args: 'List[string]', channel: 'Channel' }),
      model('StasisEnd', { channel: 'Channel' }),
      model('ChannelDtmfReceived', { digit: 'string', duration_ms: 'int', channel: 'Channel' }),
      model('ChannelHangupRequest', { cause: 'int', soft: 'boolean', channel: 'Channel' }),
      model('ChannelDestroyed', { cause: 'int', cause_txt: 'string', channel: 'Channel' }),
      model('ChannelStateChange', { channel: 'Channel' }),
      model('Dial', { caller: 'Channel', peer: 'Channel', dialstatus: 'string', dialstring: 'string' }),
      model('PlaybackStarted', { playback: 'Playback' }),
      model('PlaybackFinished', { playback: 'Playback' }),
      model('RecordingStarted', { recording: 'LiveRecording' }),
      model('RecordingFinished', { recording: 'LiveRecording' }),
      model('RecordingFailed', { recording: 'LiveRecording' }),
      model('ApplicationReplaced', {}),
    ],
  ),
};

/** `resources.json`: the list of resource descriptions. */
export function resourceListing(base: string): object {
  return {
    apiVersion: '10.0.0',
    swaggerVersion: '1.1',
    basePath: base,
    apis: Object.keys(DESCRIPTIONS).map((name) => ({ path: `/api-docs/${name}.{format}`, description: `${name} (fake)` })),
  };
}

/** One resource description, or undefined. */
export function resourceDescription(name: string, base: string): object | undefined {
  const description = DESCRIPTIONS[name];
  if (!description) return undefined;
  return JSON.parse(JSON.stringify(description).replaceAll('{base}', base)) as object;
}
