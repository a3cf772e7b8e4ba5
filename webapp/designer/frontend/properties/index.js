/* The Anju properties provider as a bpmn-js module; needs an `anjuContext` value (designer.js). */
import AnjuPropertiesProvider from './AnjuPropertiesProvider.jsx';

export default {
  __init__: [ 'anjuPropertiesProvider' ],
  anjuPropertiesProvider: [ 'type', AnjuPropertiesProvider ]
};
