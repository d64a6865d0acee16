// Pages and services run in their H5 form; a test may switch to 'weapp' for one call.
process.env.TARO_ENV = 'h5';
